import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { VERIFICATION_ID_PATTERN } from '../../otp/verification-id.js';

export class PhoneChangeVerifyDto {
  @ApiProperty({ pattern: VERIFICATION_ID_PATTERN.source, example: 'Hk3q9VdQxJ2mT0aZ8bW1cE5fG7hK4nPpRrSsTt', description: 'From POST /v1/me/phone/send.' })
  @IsString()
  @Matches(VERIFICATION_ID_PATTERN, { message: 'verificationId is not a verification id' })
  verificationId!: string;

  @ApiProperty({ pattern: '^[0-9]{4,10}$', example: '482913', description: 'The code sent to the new number.' })
  @IsString()
  @Matches(/^[0-9]{4,10}$/, { message: 'code must be 4 to 10 digits' })
  code!: string;
}

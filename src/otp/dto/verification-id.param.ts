import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { VERIFICATION_ID_PATTERN } from '../verification-id.js';

export class VerificationIdParam {
  @ApiProperty({ pattern: VERIFICATION_ID_PATTERN.source, example: 'Hk3q9VdQxJ2mT0aZ8bW1cE5fG7hK4nPpRrSsTt', description: 'The `verificationId` from send.' })
  @Matches(VERIFICATION_ID_PATTERN, { message: 'id is not a verification id' })
  id!: string;
}

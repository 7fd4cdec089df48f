import { IsISO31661Alpha2, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { VERIFICATION_ID_PATTERN } from '../verification-id.js';

/** Either `verificationId` or `phone` (with `country` for national input), and the code. */
export class VerifyOtpDto {
  @IsOptional()
  @IsString()
  @Matches(VERIFICATION_ID_PATTERN, { message: 'verificationId is not a verification id' })
  verificationId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string;

  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;

  @IsString()
  @Matches(/^[0-9]{4,10}$/, { message: 'code must be 4 to 10 digits' })
  code!: string;
}

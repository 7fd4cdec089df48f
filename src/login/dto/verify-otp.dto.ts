import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO31661Alpha2, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { SEND_PURPOSES, type SendPurpose } from './send-otp.dto.js';
import { VERIFICATION_ID_PATTERN } from '../../otp/verification-id.js';

/** Optional means absent: `null` is validated like any other value, and refused (as @IsOptional() would let it through). */
const present = (_object: object, value: unknown) => value !== undefined;

/** Either `verificationId` or `phone` (with `country` for national input), and the code. */
export class VerifyOtpDto {
  @ApiPropertyOptional({
    pattern: VERIFICATION_ID_PATTERN.source,
    example: 'Hk3q9VdQxJ2mT0aZ8bW1cE5fG7hK4nPpRrSsTt',
    description: 'From send. Pass either this or `phone`, not both (a step-up may pass neither: the session\'s phone).',
  })
  @ValidateIf(present)
  @IsString()
  @Matches(VERIFICATION_ID_PATTERN, { message: 'verificationId is not a verification id' })
  verificationId?: string;

  @ApiPropertyOptional({ maxLength: 32, example: '+919876543210', description: 'Instead of `verificationId`: the phone\'s open verification.' })
  @ValidateIf(present)
  @IsString()
  @MaxLength(32)
  phone?: string;

  @ApiPropertyOptional({ example: 'IN', description: 'ISO 3166-1 alpha-2 country, for a national-format `phone`.' })
  @ValidateIf(present)
  @IsISO31661Alpha2()
  country?: string;

  @ApiPropertyOptional({
    enum: SEND_PURPOSES,
    example: 'login',
    description:
      'As the send said: `login` (when absent) opens a session; `step_up` needs the Bearer access token of the session that sent the code and returns a receipt. A code sent for one purpose is `verification_not_found` for the other.',
  })
  @ValidateIf(present)
  @IsIn(SEND_PURPOSES)
  purpose?: SendPurpose;

  @ApiProperty({ pattern: '^[0-9]{4,10}$', example: '482913', description: 'The code from the SMS (OTP_CODE_LENGTH digits, 6 by default).' })
  @IsString()
  @Matches(/^[0-9]{4,10}$/, { message: 'code must be 4 to 10 digits' })
  code!: string;

  @ApiPropertyOptional({
    maxLength: 4096,
    example: '0.zrSnRHO7h0HwSjSCU8oyzbjEtD8p.d62306d4ee00c77dda697f959ebbd7bd97',
    description:
      'The bot-check widget\'s token (CAPTCHA_PROVIDER: Turnstile, hCaptcha or reCAPTCHA v3), or send it as X-Captcha-Token. Required from anonymous callers when CAPTCHA_MODE=enforce and CAPTCHA_ON_VERIFY=true; ignored for API-key clients. Each token works once.',
  })
  @ValidateIf(present)
  @IsString()
  @MaxLength(4096)
  captchaToken?: string;
}

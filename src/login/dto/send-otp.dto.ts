import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNEL_CHOICES, type ChannelChoice } from '../../providers/providers.config.js';
import { IsIn, IsISO31661Alpha2, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';

/** Optional means absent: `null` is validated like any other value, and refused (as @IsOptional() would let it through). */
const present = (_object: object, value: unknown) => value !== undefined;

export class SendOtpDto {
  /** E.164, or national format with `country` (or DEFAULT_COUNTRY). */
  @ApiProperty({ maxLength: 32, example: '+919876543210', description: 'E.164, or national format with `country` (or DEFAULT_COUNTRY).' })
  @IsString()
  @MaxLength(32)
  phone!: string;

  @ApiPropertyOptional({ example: 'IN', description: 'ISO 3166-1 alpha-2 country, for national-format input.' })
  @ValidateIf(present)
  @IsISO31661Alpha2()
  country?: string;

  @ApiPropertyOptional({
    enum: CHANNEL_CHOICES,
    example: 'sms',
    description:
      'How to send the code: `sms` (when absent), `whatsapp`, `voice` (a call that speaks it), or `auto` (the country\'s channel order, skipping a channel whose providers are down). A resend may name another channel: same verification, a new code.',
  })
  @ValidateIf(present)
  @IsIn(CHANNEL_CHOICES)
  channel?: ChannelChoice;

  /** BCP 47 language tag, passed to providers that localise their text. */
  @ApiPropertyOptional({
    pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$',
    example: 'hi',
    description: 'BCP 47 language tag of the message (en, hi, es, pt, fr; English otherwise).',
  })
  @ValidateIf(present)
  @IsString()
  @Matches(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, { message: 'locale must be a BCP 47 tag such as en or pt-BR' })
  locale?: string;

  @ApiPropertyOptional({
    maxLength: 4096,
    example: '0.zrSnRHO7h0HwSjSCU8oyzbjEtD8p.d62306d4ee00c77dda697f959ebbd7bd97',
    description:
      'The bot-check widget\'s token (CAPTCHA_PROVIDER: Turnstile, hCaptcha or reCAPTCHA v3), or send it as X-Captcha-Token. Required from anonymous callers when CAPTCHA_MODE=enforce; ignored for API-key clients. Each token works once.',
  })
  @ValidateIf(present)
  @IsString()
  @MaxLength(4096)
  captchaToken?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNEL_CHOICES, type ChannelChoice } from '../../providers/providers.config.js';
import { Type } from 'class-transformer';
import { IsIn, IsISO31661Alpha2, IsString, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { StepUpAmountDto } from './step-up-amount.dto.js';

/** Optional means absent: `null` is validated like any other value, and refused (as @IsOptional() would let it through). */
const present = (_object: object, value: unknown) => value !== undefined;

/** What a send or verify is for: a login (the default) or a step-up inside the caller's session. */
export const SEND_PURPOSES = ['login', 'step_up'] as const;
export type SendPurpose = (typeof SEND_PURPOSES)[number];

/** A short identifier of what a step-up confirms (`payment`, `change_email`). */
export const ACTION_PATTERN = /^[a-z][a-z0-9_.-]{0,31}$/;
/**
 * A payee goes into an SMS: letters, digits, spaces (never two in a row) and `&'.,()-`, at most 40,
 * no control or invisible characters, nothing that reads as a link (`acme.com`).
 */
export const PAYEE_PATTERN = /^(?!.*[\p{L}\p{N}]\.\p{L}{2})(?!.* {2})[\p{L}\p{N}](?:[\p{L}\p{M}\p{N} &'.,()-]{0,38}[\p{L}\p{M}\p{N}.)])?$/u;

export class SendOtpDto {
  /** E.164, or national format with `country` (or DEFAULT_COUNTRY). */
  @ApiPropertyOptional({
    maxLength: 32,
    example: '+919876543210',
    description:
      'E.164, or national format with `country` (or DEFAULT_COUNTRY). Required for a login; a step-up sends to the session\'s own number, so there it is absent or that number.',
  })
  @ValidateIf((dto: SendOtpDto, value: unknown) => dto.purpose !== 'step_up' || value !== undefined)
  @IsString()
  @MaxLength(32)
  phone!: string;

  @ApiPropertyOptional({
    enum: SEND_PURPOSES,
    example: 'login',
    description:
      '`login` (when absent): the code opens a session. `step_up`: with the person\'s Bearer access token, the code goes to the session\'s phone and its verify returns a signed receipt instead of a session.',
  })
  @ValidateIf(present)
  @IsIn(SEND_PURPOSES)
  purpose?: SendPurpose;

  @ApiPropertyOptional({ pattern: ACTION_PATTERN.source, example: 'payment', description: 'Step-up only: what the code confirms, a short identifier; in the text and the receipt.' })
  @ValidateIf(present)
  @IsString()
  @Matches(ACTION_PATTERN, { message: 'action must be a short lower-case identifier such as payment' })
  action?: string;

  @ApiPropertyOptional({ type: StepUpAmountDto, description: 'Step-up only: the amount the code confirms; in the text ("to pay EUR 50.00") and the receipt.' })
  @ValidateIf(present)
  @ValidateNested()
  @Type(() => StepUpAmountDto)
  amount?: StepUpAmountDto;

  @ApiPropertyOptional({
    maxLength: 40,
    example: 'ACME',
    description: 'Step-up only: who is paid; in the text and the receipt. Letters, digits, single spaces and &\'.,()- only; no links.',
  })
  @ValidateIf(present)
  @IsString()
  @MaxLength(40)
  @Matches(PAYEE_PATTERN, { message: 'payee must be a plain name: letters, digits, single spaces and &\'.,()- only, no links' })
  payee?: string;

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

import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import type { Channel } from '../common/channel.js';
import { defineConfig } from '../config/define-config.js';
import { toInt } from '../config/env-transforms.js';
import type { SendLimit } from './verification.repository.js';

/** One-time codes: their shape, life, attempts, and the per-phone caps. */
export class OtpEnvironment {
  @Transform(toInt)
  @IsInt()
  @Min(6)
  @Max(10)
  OTP_CODE_LENGTH = 6;

  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(600)
  OTP_TTL_SECONDS = 300;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  OTP_MAX_ATTEMPTS = 5;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  OTP_RESEND_COOLDOWN_SECONDS = 30;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  OTP_PHONE_MAX_FAILURES = 20;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(604800)
  OTP_PHONE_FAILURE_WINDOW_SECONDS = 86400;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  OTP_PHONE_MAX_SENDS_PER_HOUR = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  OTP_PHONE_MAX_SENDS_PER_DAY = 10;

  /** After a voice call, before the next send (a call costs more and rings a phone). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  OTP_VOICE_RESEND_COOLDOWN_SECONDS = 60;

  /** Calls per phone in a day, within OTP_PHONE_MAX_SENDS_PER_DAY (which counts every channel). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  OTP_PHONE_MAX_CALLS_PER_DAY = 3;
}

export const otpConfig = defineConfig(
  'otp',
  OtpEnvironment,
  (env) => ({
    codeLength: env.OTP_CODE_LENGTH,
    ttlSeconds: env.OTP_TTL_SECONDS,
    maxAttempts: env.OTP_MAX_ATTEMPTS,
    /** Until the next send, by the channel of the last one. */
    resendCooldownSeconds: { sms: env.OTP_RESEND_COOLDOWN_SECONDS, whatsapp: env.OTP_RESEND_COOLDOWN_SECONDS, voice: env.OTP_VOICE_RESEND_COOLDOWN_SECONDS } satisfies Record<
      Channel,
      number
    >,
    phoneMaxFailures: env.OTP_PHONE_MAX_FAILURES,
    phoneFailureWindowSeconds: env.OTP_PHONE_FAILURE_WINDOW_SECONDS,
    /** Sends per phone, whatever the cooldown; a limit with a channel counts only that channel's sends. */
    phoneSendLimits: [
      { max: env.OTP_PHONE_MAX_SENDS_PER_HOUR, windowSeconds: 3600 },
      { max: env.OTP_PHONE_MAX_SENDS_PER_DAY, windowSeconds: 86400 },
      { max: env.OTP_PHONE_MAX_CALLS_PER_DAY, windowSeconds: 86400, channel: 'voice' },
    ] satisfies SendLimit[],
  }),
  (env) =>
    env.NODE_ENV !== 'production'
      ? []
      : (['OTP_RESEND_COOLDOWN_SECONDS', 'OTP_VOICE_RESEND_COOLDOWN_SECONDS'] as const)
          .filter((setting) => env[setting] < 30)
          .map((setting) => `NODE_ENV=production needs ${setting} of 30 or more (it bounds messages and calls per phone)`),
);

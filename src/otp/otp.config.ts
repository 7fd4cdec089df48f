import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { defineConfig } from '../config/define-config.js';
import { toInt } from '../config/env-transforms.js';

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
}

export const otpConfig = defineConfig(
  'otp',
  OtpEnvironment,
  (env) => ({
    codeLength: env.OTP_CODE_LENGTH,
    ttlSeconds: env.OTP_TTL_SECONDS,
    maxAttempts: env.OTP_MAX_ATTEMPTS,
    resendCooldownSeconds: env.OTP_RESEND_COOLDOWN_SECONDS,
    phoneMaxFailures: env.OTP_PHONE_MAX_FAILURES,
    phoneFailureWindowSeconds: env.OTP_PHONE_FAILURE_WINDOW_SECONDS,
    /** Sends per phone, whatever the cooldown: [max, window] pairs. */
    phoneSendLimits: [
      { max: env.OTP_PHONE_MAX_SENDS_PER_HOUR, windowSeconds: 3600 },
      { max: env.OTP_PHONE_MAX_SENDS_PER_DAY, windowSeconds: 86400 },
    ],
  }),
  (env) =>
    env.NODE_ENV === 'production' && env.OTP_RESEND_COOLDOWN_SECONDS < 30
      ? ['NODE_ENV=production needs OTP_RESEND_COOLDOWN_SECONDS of 30 or more (it bounds SMS per phone)']
      : [],
);

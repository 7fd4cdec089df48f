import { randomBytes } from 'node:crypto';
import { registerAs } from '@nestjs/config';
import { validateEnvironment } from './environment.js';

export const otpConfig = registerAs('otp', () => {
  const env = validateEnvironment(process.env);
  return {
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
    // Validation guarantees a configured secret whenever the store is shared.
    hmacSecret: env.OTP_HMAC_SECRET ?? randomBytes(32).toString('base64'),
    hmacSecretEphemeral: env.OTP_HMAC_SECRET === undefined,
  };
});

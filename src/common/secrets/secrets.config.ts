import { randomBytes } from 'node:crypto';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MinLength } from 'class-validator';
import { defineConfig } from '../../config/define-config.js';
import { emptyToUndefined } from '../../config/env-transforms.js';
import { sharedSettingsReason } from '../../redis/redis.config.js';

export const GENERATE_SECRET = 'openssl rand -base64 32';

/** The root secret of every keyed digest the service makes (see KeyDerivation). */
export class SecretsEnvironment {
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: `OTP_HMAC_SECRET must be at least 32 characters (${GENERATE_SECRET})` })
  OTP_HMAC_SECRET?: string = undefined;
}

export const secretsConfig = defineConfig(
  'secrets',
  SecretsEnvironment,
  (env) => ({
    // Validation guarantees a configured secret whenever the store is shared.
    rootSecret: env.OTP_HMAC_SECRET ?? randomBytes(32).toString('base64'),
  }),
  (env) => {
    const reason = sharedSettingsReason(env);
    return reason !== undefined && env.OTP_HMAC_SECRET === undefined
      ? [`OTP_HMAC_SECRET is required ${reason}; generate one with: ${GENERATE_SECRET}`]
      : [];
  },
);

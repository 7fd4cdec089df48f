import { registerAs } from '@nestjs/config';
import { publicUrlOf, validateEnvironment } from './environment.js';

export const sessionsConfig = registerAs('sessions', () => {
  const env = validateEnvironment(process.env);
  return {
    issuer: publicUrlOf(env),
    audience: env.JWT_AUDIENCE ?? publicUrlOf(env),
    algorithm: env.JWT_ALGORITHM,
    privateKeyPem: env.JWT_PRIVATE_KEY,
    privateKeyFile: env.JWT_PRIVATE_KEY_FILE,
    publicKeysFile: env.JWT_PUBLIC_KEYS_FILE,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    /** Absolute life of a session, from login. */
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    /** A session unused (not refreshed) this long ends. */
    refreshTokenIdleTtlSeconds: env.REFRESH_TOKEN_IDLE_TTL_SECONDS,
    /** A just-rotated token presented again within this window is refused without revoking. */
    refreshTokenReuseGraceSeconds: env.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
    /** Leeway on exp and iat when validating access tokens. */
    clockToleranceSeconds: 30,
  };
});

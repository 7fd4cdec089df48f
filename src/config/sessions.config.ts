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
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
  };
});

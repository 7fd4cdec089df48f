import { registerAs } from '@nestjs/config';
import { validateEnvironment } from './environment.js';

export const redisConfig = registerAs('redis', () => {
  const env = validateEnvironment(process.env);
  return {
    /** Absent: the service runs on its in-memory adapters (one process only). */
    url: env.REDIS_URL,
    keyPrefix: env.REDIS_KEY_PREFIX,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
  };
});

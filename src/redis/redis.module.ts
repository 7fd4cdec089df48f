import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Redis } from 'ioredis';
import { redisConfig } from '../config/redis.config.js';
import { REDIS_CLIENT } from './redis.constants.js';
import { RedisKeys } from './redis-keys.js';

function createRedisClient(config: ConfigType<typeof redisConfig>): Redis | null {
  const logger = new Logger('Redis');
  if (config.url === undefined) {
    logger.warn('No REDIS_URL: running on the in-memory store (one process only; state is lost on restart).');
    return null;
  }
  const client = new Redis(config.url, {
    keyPrefix: config.keyPrefix,
    enableAutoPipelining: true,
    // Fail fast while Redis is away (fail closed), and reconnect forever in the background.
    maxRetriesPerRequest: 1,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) logger.error(`Redis unavailable: ${error.message}`);
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.log('Redis connection restored');
    down = false;
  });
  return client;
}

@Global()
@Module({
  providers: [
    { provide: REDIS_CLIENT, inject: [redisConfig.KEY], useFactory: createRedisClient },
    RedisKeys,
  ],
  exports: [REDIS_CLIENT, RedisKeys],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis === null) return;
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { redisConfig } from '../redis/redis.config.js';
import { REDIS_CLIENT } from '../redis/redis.constants.js';

/** PING within the command timeout; the in-memory store is always up. */
@Injectable()
export class RedisHealth {
  // Why the connection failed (refused, TLS certificate not trusted, wrong password): a PING that
  // fails only says it gave up.
  private connectionError?: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
    private readonly indicators: HealthIndicatorService,
    @Inject(redisConfig.KEY) private readonly config: ConfigType<typeof redisConfig>,
  ) {
    const failed = (error: Error & { code?: string }) => {
      this.connectionError = error.code && !error.message.includes(error.code) ? `${error.message} (${error.code})` : error.message;
    };
    redis?.on('error', failed);
    redis?.on('node error', failed);
    redis?.on('ready', () => (this.connectionError = undefined));
  }

  async check(key: string) {
    const indicator = this.indicators.check(key);
    if (this.redis === null) return indicator.up({ kind: 'memory' });
    const startedAt = performance.now();
    try {
      await Promise.race([
        this.redis.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), this.config.commandTimeoutMs).unref()),
      ]);
      return indicator.up({ kind: 'redis', latencyMs: Math.round(performance.now() - startedAt) });
    } catch (error) {
      const cause = this.connectionError;
      return indicator.down({ kind: 'redis', message: (error as Error).message, ...(cause !== undefined && { cause }) });
    }
  }
}

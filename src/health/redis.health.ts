import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { redisConfig } from '../redis/redis.config.js';
import { REDIS_CLIENT } from '../redis/redis.constants.js';
import { describeStore, redactCredentials, StoreStatus } from './store-status.js';

/** PING within the command timeout; the in-memory store is always up. */
@Injectable()
export class RedisHealth {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
    private readonly indicators: HealthIndicatorService,
    @Inject(redisConfig.KEY) private readonly config: ConfigType<typeof redisConfig>,
    private readonly status: StoreStatus,
  ) {}

  async check(key: string) {
    const indicator = this.indicators.check(key);
    if (this.redis === null) return indicator.up({ kind: 'memory' });
    const startedAt = performance.now();
    try {
      await Promise.race([
        this.redis.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), this.config.commandTimeoutMs).unref()),
      ]);
      this.status.recovered();
      return indicator.up({ kind: 'redis', latencyMs: Math.round(performance.now() - startedAt) });
    } catch (error) {
      return indicator.down(this.unreachable(error as Error));
    }
  }

  /** What an operator needs: which store, where, since when, and why (its last connection error). */
  private unreachable(error: Error) {
    // A PING refused while the client reconnects ("max retries per request") or one that timed
    // out says nothing of the store; the connection's own error does.
    this.status.failed();
    const outage = this.status.outage()!;
    const { mode, address } = describeStore(this.config);
    const reason =
      outage.lastError ?? (error.message === 'timeout' ? `no answer to PING within ${this.config.commandTimeoutMs} ms` : redactCredentials(error.message));
    return {
      kind: 'redis',
      mode,
      address,
      downSince: outage.downSince,
      reason,
      ...(outage.lastError !== undefined && { cause: outage.lastError }),
      message: `store unreachable: Redis (${mode}) at ${address}, down since ${outage.downSince}: ${reason}`,
    };
  }
}

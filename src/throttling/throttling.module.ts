import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { Clock } from '../common/time/clock.js';
import { throttlingConfig } from './throttling.config.js';
import { REDIS_CLIENT } from '../redis/redis.constants.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { AppThrottlerGuard, callerClient, CLIENT_RULE } from './app-throttler.guard.js';
import { FraudGuard } from './fraud-guard.service.js';
import { FraudRepository } from './fraud.repository.js';
import { InMemoryFraudRepository } from './in-memory-fraud.repository.js';
import { InMemoryThrottlerStorage } from './in-memory-throttler.storage.js';
import { RedisFraudRepository } from './redis-fraud.repository.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { SendPolicy } from './send-policy.js';

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [throttlingConfig.KEY, REDIS_CLIENT, RedisKeys, Clock],
      useFactory: (config: ConfigType<typeof throttlingConfig>, redis: Redis | null, keys: RedisKeys, clock: Clock) => {
        const quotaOf = (client: string | undefined) =>
          client === undefined ? undefined : (config.clientQuotas.get(client) ?? config.clientQuotas.get('*'));
        return {
          storage: redis ? new RedisThrottlerStorage(redis, keys, clock) : new InMemoryThrottlerStorage(clock),
          throttlers: [
            { name: 'send', limit: config.perIp.send.limit, ttl: config.perIp.send.ttlMs },
            { name: 'verify', limit: config.perIp.verify.limit, ttl: config.perIp.verify.ttlMs },
            { name: 'refresh', limit: config.perIp.refresh.limit, ttl: config.perIp.refresh.ttlMs },
            {
              name: CLIENT_RULE,
              ttl: config.clientQuotaWindowMs,
              limit: (context) => quotaOf(callerClient(context)) ?? Number.MAX_SAFE_INTEGER,
              skipIf: (context) => quotaOf(callerClient(context)) === undefined,
              getTracker: (request) => `client:${(request as { apiClient?: { name: string } }).apiClient?.name}`,
            },
          ],
        };
      },
    }),
  ],
  providers: [
    AppThrottlerGuard,
    FraudGuard,
    { provide: SendPolicy, useExisting: FraudGuard },
    {
      provide: FraudRepository,
      inject: [REDIS_CLIENT, RedisKeys],
      useFactory: (redis: Redis | null, keys: RedisKeys) => (redis ? new RedisFraudRepository(redis, keys) : new InMemoryFraudRepository()),
    },
  ],
  exports: [AppThrottlerGuard, SendPolicy, ThrottlerModule],
})
export class ThrottlingModule {}

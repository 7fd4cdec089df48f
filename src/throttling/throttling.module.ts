import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import { throttlingConfig } from './throttling.config.js';
import { EventLog } from '../events/event-log.js';
import { storeAdapter } from '../redis/store-adapter.js';
import { AppThrottlerGuard, callerClient, CLIENT_RULE } from './app-throttler.guard.js';
import { FraudBlocks } from './fraud-blocks.service.js';
import { FraudGuard } from './fraud-guard.service.js';
import { FraudRepository } from './fraud.repository.js';
import { InMemoryFraudRepository } from './in-memory-fraud.repository.js';
import { RedisFraudRepository } from './redis-fraud.repository.js';
import { SendPolicy } from './send-policy.js';
import { THROTTLER_STORE, ThrottlerStoreModule } from './throttler-store.module.js';

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [ThrottlerStoreModule],
      inject: [throttlingConfig.KEY, THROTTLER_STORE],
      useFactory: (config: ConfigType<typeof throttlingConfig>, storage: ThrottlerStorage) => {
        const quotaOf = (client: string | undefined) =>
          client === undefined ? undefined : (config.clientQuotas.get(client) ?? config.clientQuotas.get('*'));
        return {
          storage,
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
    FraudBlocks,
    { provide: SendPolicy, useExisting: FraudGuard },
    storeAdapter<FraudRepository, [EventLog]>(FraudRepository, {
      inject: [EventLog],
      redis: ({ client, scripts, keys }, events) => new RedisFraudRepository(client, scripts, keys, events),
      memory: (events) => new InMemoryFraudRepository(events),
    }),
  ],
  exports: [AppThrottlerGuard, SendPolicy, FraudBlocks, ThrottlerModule],
})
export class ThrottlingModule {}

import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Redis } from 'ioredis';
import { Clock } from '../common/time/clock.js';
import { providersConfig } from '../config/providers.config.js';
import { REDIS_CLIENT } from '../redis/redis.constants.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { ConsoleSmsProvider } from './adapters/console.sms-provider.js';
import { OutboxSmsProvider } from './adapters/outbox.sms-provider.js';
import { DevOutboxController } from './dev-outbox.controller.js';
import { InMemoryOutboxRepository } from './in-memory-outbox.repository.js';
import { OutboxRepository } from './outbox.repository.js';
import { RedisOutboxRepository } from './redis-outbox.repository.js';
import { SmsProvider } from './sms-provider.js';

@Module({
  controllers: [DevOutboxController],
  providers: [
    {
      provide: OutboxRepository,
      inject: [REDIS_CLIENT, RedisKeys],
      useFactory: (redis: Redis | null, keys: RedisKeys) =>
        redis ? new RedisOutboxRepository(redis, keys) : new InMemoryOutboxRepository(),
    },
    {
      provide: SmsProvider,
      inject: [providersConfig.KEY, OutboxRepository, Clock],
      useFactory: (config: ConfigType<typeof providersConfig>, outbox: OutboxRepository, clock: Clock) => {
        // Failover across the whole list arrives with the real providers; until then the first one serves.
        const [name] = config.smsProviders;
        switch (name) {
          case 'console':
            return new ConsoleSmsProvider();
          case 'outbox':
            return new OutboxSmsProvider(outbox, () => clock.nowMs());
        }
      },
    },
  ],
  exports: [SmsProvider, OutboxRepository],
})
export class ProvidersModule {}

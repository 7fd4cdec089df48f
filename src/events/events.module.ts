import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/time/clock.js';
import { storeAdapter } from '../redis/store-adapter.js';
import { DeadLetters } from './dead-letters.service.js';
import { DeliveryQueue } from './delivery-queue.js';
import { EventDispatcher } from './event-dispatcher.service.js';
import { EventLog } from './event-log.js';
import { eventsConfig } from './events.config.js';
import { InMemoryDeliveryQueue } from './in-memory-delivery-queue.js';
import { InMemoryEventLog } from './in-memory-event-log.js';
import { RedisDeliveryQueue } from './redis-delivery-queue.js';
import { RedisEventLog } from './redis-event-log.js';
import { RetryPolicy } from './retry-policy.js';
import { WebhookDelivery } from './webhook-delivery.js';

type EventsConfig = ConfigType<typeof eventsConfig>;

/**
 * Events: the outbox every repository records into (global: every store adapter takes it), and
 * its delivery to the webhook subscribers (`EventDispatcher`), with the dead letters operators see.
 */
@Global()
@Module({
  providers: [
    storeAdapter<EventLog, [Clock, EventsConfig]>(EventLog, {
      inject: [Clock, eventsConfig.KEY],
      redis: (store, clock, config) => new RedisEventLog(store, clock, config.streamMaxLength),
      memory: (clock, config) => new InMemoryEventLog(clock, config.streamMaxLength),
    }),
    storeAdapter<DeliveryQueue, [EventLog, Clock]>(DeliveryQueue, {
      inject: [EventLog, Clock],
      redis: (store) => new RedisDeliveryQueue(store),
      memory: (log, clock) => new InMemoryDeliveryQueue(log as InMemoryEventLog, clock),
    }),
    {
      provide: RetryPolicy,
      inject: [Clock, eventsConfig.KEY],
      useFactory: (clock: Clock, config: EventsConfig) => new RetryPolicy(clock, Math.random, config.retryBaseMs, config.retryCapMs),
    },
    WebhookDelivery,
    EventDispatcher,
    DeadLetters,
  ],
  exports: [EventLog, DeadLetters],
})
export class EventsModule {}

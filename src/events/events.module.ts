import { Global, Module } from '@nestjs/common';
import { Clock } from '../common/time/clock.js';
import { storeAdapter } from '../redis/store-adapter.js';
import { EventLog } from './event-log.js';
import { InMemoryEventLog } from './in-memory-event-log.js';
import { RedisEventLog } from './redis-event-log.js';

// Until the events settings land: the cap of each shard stream (16 streams).
const STREAM_MAX_LENGTH = 100_000;

/** Events: the outbox every repository records into (global: every store adapter takes it). */
@Global()
@Module({
  providers: [
    storeAdapter<EventLog, [Clock]>(EventLog, {
      inject: [Clock],
      redis: (store, clock) => new RedisEventLog(store, clock, STREAM_MAX_LENGTH),
      memory: (clock) => new InMemoryEventLog(clock, STREAM_MAX_LENGTH),
    }),
  ],
  exports: [EventLog],
})
export class EventsModule {}

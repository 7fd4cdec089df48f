import { Module } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Clock } from '../common/time/clock.js';
import { storeAdapter } from '../redis/store-adapter.js';
import { InMemoryThrottlerStorage } from './in-memory-throttler.storage.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

/** The store of @nestjs/throttler's windows, handed to ThrottlerModule through its options. */
export const THROTTLER_STORE = Symbol('THROTTLER_STORE');

// ThrottlerModule builds its options in its own scope: the store's factory sits in a module it imports.
@Module({
  providers: [
    storeAdapter<ThrottlerStorage, [Clock]>(THROTTLER_STORE, {
      inject: [Clock],
      redis: ({ scripts, keys }, clock) => new RedisThrottlerStorage(scripts, keys, clock),
      memory: (clock) => new InMemoryThrottlerStorage(clock),
    }),
  ],
  exports: [THROTTLER_STORE],
})
export class ThrottlerStoreModule {}

import type { Abstract, FactoryProvider, InjectionToken } from '@nestjs/common';
import { REDIS_CLIENT, type RedisClient } from './redis.constants.js';
import { RedisKeys } from './redis-keys.js';
import { RedisScripts } from './redis-scripts.js';

/** What a Redis adapter may use: the shared client for plain commands, the key builder and the scripts. */
export interface RedisStore {
  client: RedisClient;
  keys: RedisKeys;
  scripts: RedisScripts;
}

export interface StoreAdapters<T, D extends unknown[]> {
  /** Further providers both factories take, after the store (Redis) or alone (memory). */
  inject?: InjectionToken[];
  redis: (store: RedisStore, ...deps: D) => T;
  memory: (...deps: NoInfer<D>) => T;
}

/**
 * The one factory of a persistence port: its Redis adapter when the service has a Redis client,
 * its in-memory adapter otherwise. The Redis-or-memory decision is written here only.
 */
export function storeAdapter<T, D extends unknown[] = []>(
  port: Abstract<T> | symbol,
  adapters: StoreAdapters<T, D>,
): FactoryProvider<T> {
  return {
    provide: port,
    inject: [REDIS_CLIENT, RedisKeys, RedisScripts, ...(adapters.inject ?? [])],
    useFactory: (client: RedisClient | null, keys: RedisKeys, scripts: RedisScripts | null, ...deps: D) =>
      client && scripts ? adapters.redis({ client, keys, scripts }, ...deps) : adapters.memory(...deps),
  };
}

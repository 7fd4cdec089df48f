import { randomBytes } from 'node:crypto';
import { PhoneTagger } from '../../src/common/phone/phone-tagger.js';
import { SystemClock } from '../../src/common/time/clock.js';
import type { EventLog } from '../../src/events/event-log.js';
import { InMemoryEventLog } from '../../src/events/in-memory-event-log.js';
import { RedisEventLog } from '../../src/events/redis-event-log.js';
import { KeyDerivation } from '../../src/common/secrets/key-derivation.js';
import type { RedisClient } from '../../src/redis/redis.constants.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { RedisScripts } from '../../src/redis/redis-scripts.js';
import { RecordedEvents } from '../support/recorded-events.js';
import { describeWithRedisCluster, RedisCluster } from '../support/redis-cluster.js';
import { describeWithRedis, RedisServer } from '../support/redis-server.js';

/** A random Indian mobile number: each test its own phone, so adapters can share one store. */
export const randomPhone = () => `+9198${String(randomBytes(4).readUInt32BE() % 1e8).padStart(8, '0')}`;

export const CONTRACT_HMAC_SECRET = 'contract-suite-secret-of-32-characters!';
export const CONTRACT_KEYS = new RedisKeys(new PhoneTagger(KeyDerivation.of(CONTRACT_HMAC_SECRET)));
const PREFIX = 'contract:';

/** The script registry of a test's client, as RedisModule provides it to the service's adapters. */
export function scriptsFor(client: RedisClient): RedisScripts {
  return new RedisScripts(client);
}

/** The event log a repository of a test records into: the shard streams of `redis`, or an in-process queue. */
export function eventLogFor(redis: RedisClient | null): EventLog {
  return redis
    ? new RedisEventLog({ client: redis, keys: CONTRACT_KEYS, scripts: scriptsFor(redis) }, new SystemClock(), 1000)
    : new InMemoryEventLog(new SystemClock(), 1000);
}

/** What a contract runs on: the repository, and the events it recorded (read as the dispatcher reads them). */
export interface ContractSetup<R> {
  repository: R;
  events: RecordedEvents;
  teardown?: () => Promise<void>;
}

export type Contract<R> = (adapter: string, setup: () => Promise<ContractSetup<R>>) => void;

/**
 * Runs a repository contract against every store: the in-memory adapter (`make(null)`), a
 * standalone redis-server and a 3-master Redis Cluster, each Redis with the key prefix on.
 */
export function onEveryStore<R>(contract: Contract<R>, make: (redis: RedisClient | null, events: EventLog) => R): void {
  contract('in-memory', async () => {
    const events = RecordedEvents.on(null, CONTRACT_KEYS);
    return { repository: make(null, events.log), events };
  });

  describeWithRedis('on a real redis-server', () => {
    contract('redis', async () => {
      const server = await RedisServer.start();
      const redis = server.client();
      redis.options.keyPrefix = PREFIX;
      const events = RecordedEvents.on(redis, CONTRACT_KEYS);
      return {
        repository: make(redis, events.log),
        events,
        teardown: async () => {
          redis.disconnect();
          await server.stop();
        },
      };
    });
  });

  describeWithRedisCluster('on a 3-master Redis Cluster', () => {
    let cluster: RedisCluster;
    beforeAll(async () => {
      cluster = await RedisCluster.start();
    });
    afterAll(async () => cluster?.stop());

    contract('redis cluster', async () => {
      const redis = cluster.serviceClient(PREFIX);
      const events = RecordedEvents.on(redis, CONTRACT_KEYS);
      return { repository: make(redis, events.log), events, teardown: async () => void (await redis.quit()) };
    });

    it('keeps every key under the key prefix once the contract has run on the cluster', async () => {
      const keys = (await cluster.keysByNode()).flat();
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((key) => !key.startsWith(PREFIX))).toEqual([]);
    });
  });
}

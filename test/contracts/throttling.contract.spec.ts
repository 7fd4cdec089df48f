import type { ThrottlerStorage } from '@nestjs/throttler';
import { randomBytes } from 'node:crypto';
import { PhoneTagger } from '../../src/common/phone/phone-tagger.js';
import { KeyDerivation } from '../../src/common/secrets/key-derivation.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { InMemoryThrottlerStorage } from '../../src/throttling/in-memory-throttler.storage.js';
import { RedisThrottlerStorage } from '../../src/throttling/redis-throttler.storage.js';
import { FakeClock } from '../support/fake-clock.js';
import { describeWithRedis, RedisServer } from '../support/redis-server.js';
import { scriptsFor } from './every-store.js';

const HOUR_MS = 3_600_000;

function throttlingContract(adapter: string, setup: (clock: FakeClock) => Promise<{ storage: ThrottlerStorage; teardown?: () => Promise<void> }>) {
  describe(`throttler storage: ${adapter}`, () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0));
    let storage: ThrottlerStorage;
    let teardown: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ storage, teardown } = await setup(clock));
    });
    afterAll(async () => teardown?.());
    const newKey = () => randomBytes(8).toString('hex');

    it('counts hits in a fixed window, blocks past the limit, and opens again after the block', async () => {
      const key = newKey();
      for (let hit = 1; hit <= 3; hit += 1) {
        expect(await storage.increment(key, 60_000, 3, 60_000, 'send')).toEqual({
          totalHits: hit,
          timeToExpire: 60,
          isBlocked: false,
          timeToBlockExpire: 0,
        });
      }
      expect(await storage.increment(key, 60_000, 3, 60_000, 'send')).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 60 });
      clock.advance(30_000);
      expect(await storage.increment(key, 60_000, 3, 60_000, 'send')).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
      clock.advance(30_000);
      expect(await storage.increment(key, 60_000, 3, 60_000, 'send')).toMatchObject({ totalHits: 1, isBlocked: false });
    });

    it('lets exactly the limit through under 20 concurrent hits', async () => {
      const key = newKey();
      const records = await Promise.all(Array.from({ length: 20 }, () => storage.increment(key, 60_000, 5, 60_000, 'verify')));
      expect(records.filter((record) => !record.isBlocked)).toHaveLength(5);
    });
  });
}

throttlingContract('in-memory', async (clock) => ({ storage: new InMemoryThrottlerStorage(clock) }));

describeWithRedis('on a real redis-server', () => {
  throttlingContract('redis', async (clock) => {
    const server = await RedisServer.start();
    const redis = server.client();
    const keys = new RedisKeys(new PhoneTagger(KeyDerivation.of('contract-secret-of-32-characters!!')));
    return {
      storage: new RedisThrottlerStorage(scriptsFor(redis), keys, clock),
      teardown: async () => {
        redis.disconnect();
        await server.stop();
      },
    };
  });
});

import { randomBytes } from 'node:crypto';
import { PhoneTagger } from '../../src/common/phone/phone-tagger.js';
import { IdempotencyRepository } from '../../src/otp/idempotency.repository.js';
import { InMemoryIdempotencyRepository } from '../../src/otp/in-memory-idempotency.repository.js';
import { RedisIdempotencyRepository } from '../../src/otp/redis-idempotency.repository.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { describeWithRedisCluster, RedisCluster } from '../support/redis-cluster.js';
import { describeWithRedis, RedisServer } from '../support/redis-server.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

function idempotencyRepositoryContract(adapter: string, setup: () => Promise<{ repository: IdempotencyRepository; teardown?: () => Promise<void> }>) {
  describe(`IdempotencyRepository contract: ${adapter}`, () => {
    let repository: IdempotencyRepository;
    let teardown: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ repository, teardown } = await setup());
    });
    afterAll(async () => teardown?.());
    const newKey = () => randomBytes(12).toString('base64url');

    it('starts a new key, reports it in flight, then replays its answer', async () => {
      const key = newKey();
      expect(await repository.begin(key, 'f1', 60, T0)).toEqual({ state: 'started' });
      expect(await repository.begin(key, 'f1', 60, T0)).toEqual({ state: 'in_flight' });
      await repository.complete(key, '{"verificationId":"v1"}', 86400, T0);
      expect(await repository.begin(key, 'f1', 60, T0)).toEqual({ state: 'completed', response: '{"verificationId":"v1"}' });
    });

    it('answers another body under the same key as a conflict, in flight or completed', async () => {
      const key = newKey();
      await repository.begin(key, 'f1', 60, T0);
      expect(await repository.begin(key, 'f2', 60, T0)).toEqual({ state: 'conflict' });
      await repository.complete(key, '{}', 86400, T0);
      expect(await repository.begin(key, 'f2', 60, T0)).toEqual({ state: 'conflict' });
    });

    it('forgets a released key, so a retry starts again', async () => {
      const key = newKey();
      await repository.begin(key, 'f1', 60, T0);
      await repository.release(key);
      expect(await repository.begin(key, 'f1', 60, T0)).toEqual({ state: 'started' });
    });

    it('starts exactly one of 20 concurrent requests with one key', async () => {
      const key = newKey();
      const results = await Promise.all(Array.from({ length: 20 }, () => repository.begin(key, 'f1', 60, T0)));
      expect(results.filter((result) => result.state === 'started')).toHaveLength(1);
      expect(results.filter((result) => result.state === 'in_flight')).toHaveLength(19);
    });
  });
}

idempotencyRepositoryContract('in-memory', async () => ({ repository: new InMemoryIdempotencyRepository() }));

describeWithRedis('on a real redis-server', () => {
  idempotencyRepositoryContract('redis', async () => {
    const server = await RedisServer.start();
    const redis = server.client();
    return {
      repository: new RedisIdempotencyRepository(redis, new RedisKeys(new PhoneTagger('contract-secret-of-32-characters!!'))),
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

  idempotencyRepositoryContract('redis cluster', async () => {
    const redis = cluster.serviceClient('contract:');
    return {
      repository: new RedisIdempotencyRepository(redis, new RedisKeys(new PhoneTagger('contract-secret-of-32-characters!!'))),
      teardown: async () => void (await redis.quit()),
    };
  });

  it('should keep every key under the key prefix when the contract has run on the cluster', async () => {
    const keys = (await cluster.keysByNode()).flat();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((key) => !key.startsWith('contract:'))).toEqual([]);
  });
});

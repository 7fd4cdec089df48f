import { randomBytes } from 'node:crypto';
import { IdempotencyRepository } from '../../src/login/idempotency.repository.js';
import { InMemoryIdempotencyRepository } from '../../src/login/in-memory-idempotency.repository.js';
import { RedisIdempotencyRepository } from '../../src/login/redis-idempotency.repository.js';
import { type Contract, CONTRACT_KEYS, onEveryStore, scriptsFor } from './every-store.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

const idempotencyRepositoryContract: Contract<IdempotencyRepository> = (adapter, setup) => {
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
};

onEveryStore(idempotencyRepositoryContract, (redis) =>
  redis ? new RedisIdempotencyRepository(redis, scriptsFor(redis), CONTRACT_KEYS) : new InMemoryIdempotencyRepository(),
);

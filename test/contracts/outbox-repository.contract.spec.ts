import { InMemoryOutboxRepository } from '../../src/providers/in-memory-outbox.repository.js';
import { OutboxMessage, OutboxRepository } from '../../src/providers/outbox.repository.js';
import { RedisOutboxRepository } from '../../src/providers/redis-outbox.repository.js';
import { type Contract, CONTRACT_KEYS, onEveryStore, scriptsFor, randomPhone } from './every-store.js';

const outboxRepositoryContract: Contract<OutboxRepository> = (adapter, setup) => {
  describe(`OutboxRepository contract: ${adapter}`, () => {
    let repository: OutboxRepository;
    let teardown: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ repository, teardown } = await setup());
    });
    afterAll(async () => teardown?.());
    const newPhone = randomPhone;
    const message = (to: string, n: number): OutboxMessage => ({ to, channel: n % 2 === 0 ? 'sms' : 'voice', text: `${n} is your code`, verificationId: `v${n}`, sentAt: `2026-11-21T12:00:0${n % 10}Z` });

    it('lists a phone\'s messages newest first, and nothing for another phone', async () => {
      const phone = newPhone();
      await repository.append(message(phone, 1));
      await repository.append(message(phone, 2));
      expect(await repository.list(phone)).toEqual([message(phone, 2), message(phone, 1)]);
      expect(await repository.list(newPhone())).toEqual([]);
    });

    it(`keeps only the newest ${OutboxRepository.KEEP_PER_PHONE} messages of a phone`, async () => {
      const phone = newPhone();
      const total = OutboxRepository.KEEP_PER_PHONE + 5;
      for (let n = 1; n <= total; n += 1) await repository.append(message(phone, n));
      const listed = await repository.list(phone);
      expect(listed).toHaveLength(OutboxRepository.KEEP_PER_PHONE);
      expect(listed[0]).toEqual(message(phone, total));
      expect(listed.at(-1)).toEqual(message(phone, total - OutboxRepository.KEEP_PER_PHONE + 1));
    });
  });
};

onEveryStore(outboxRepositoryContract, (redis) =>
  redis ? new RedisOutboxRepository(redis, scriptsFor(redis), CONTRACT_KEYS) : new InMemoryOutboxRepository(),
);

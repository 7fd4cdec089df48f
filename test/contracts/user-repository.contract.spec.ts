import { InMemoryUserRepository } from '../../src/sessions/in-memory-user.repository.js';
import { RedisUserRepository } from '../../src/sessions/redis-user.repository.js';
import { UserRepository } from '../../src/sessions/user.repository.js';
import { type Contract, CONTRACT_KEYS, onEveryStore, randomPhone } from './every-store.js';

const userRepositoryContract: Contract<UserRepository> = (adapter, setup) => {
  describe(`UserRepository contract: ${adapter}`, () => {
    let repository: UserRepository;
    let teardown: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ repository, teardown } = await setup());
    });
    afterAll(async () => teardown?.());
    const newPhone = randomPhone;

    it('creates the phone\'s id on first use and returns it ever after', async () => {
      const phone = newPhone();
      expect(await repository.findOrCreate(phone, 'usr_first')).toBe('usr_first');
      expect(await repository.findOrCreate(phone, 'usr_second')).toBe('usr_first');
      expect(await repository.findOrCreate(newPhone(), 'usr_other')).toBe('usr_other');
    });

    it('gives one id to a phone under 20 concurrent first uses', async () => {
      const phone = newPhone();
      const ids = await Promise.all(Array.from({ length: 20 }, (_, n) => repository.findOrCreate(phone, `usr_${n}`)));
      expect(new Set(ids).size).toBe(1);
      expect(await repository.findOrCreate(phone, 'usr_late')).toBe(ids[0]);
    });
  });
};

onEveryStore(userRepositoryContract, (redis) => (redis ? new RedisUserRepository(redis, CONTRACT_KEYS) : new InMemoryUserRepository()));

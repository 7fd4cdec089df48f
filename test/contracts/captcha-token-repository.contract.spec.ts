import { createHash, randomBytes } from 'node:crypto';
import { CaptchaTokenRepository } from '../../src/captcha/captcha-token.repository.js';
import { InMemoryCaptchaTokenRepository } from '../../src/captcha/in-memory-captcha-token.repository.js';
import { RedisCaptchaTokenRepository } from '../../src/captcha/redis-captcha-token.repository.js';
import { type Contract, CONTRACT_KEYS, onEveryStore } from './every-store.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

const captchaTokenRepositoryContract: Contract<CaptchaTokenRepository> = (adapter, setup) => {
  describe(`CaptchaTokenRepository contract: ${adapter}`, () => {
    let repository: CaptchaTokenRepository;
    let teardown: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ repository, teardown } = await setup());
    });
    afterAll(async () => teardown?.());
    const newHash = () => createHash('sha256').update(randomBytes(16)).digest('hex');

    it('claims a token once: a second claim is refused', async () => {
      const hash = newHash();
      expect(await repository.claim(hash, 300_000, T0)).toBe(true);
      expect(await repository.claim(hash, 300_000, T0 + 1_000)).toBe(false);
      expect(await repository.claim(newHash(), 300_000, T0)).toBe(true);
    });

    it('claims exactly one of 20 concurrent uses of one token', async () => {
      const hash = newHash();
      const claims = await Promise.all(Array.from({ length: 20 }, () => repository.claim(hash, 300_000, T0)));
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('forgets a token once its lifetime has passed', async () => {
      const hash = newHash();
      expect(await repository.claim(hash, 50, Date.now())).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await repository.claim(hash, 50, Date.now())).toBe(true);
    });
  });
};

onEveryStore(captchaTokenRepositoryContract, (redis) =>
  redis ? new RedisCaptchaTokenRepository(redis, CONTRACT_KEYS) : new InMemoryCaptchaTokenRepository(),
);

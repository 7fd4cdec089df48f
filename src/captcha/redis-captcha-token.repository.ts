import type { RedisClient } from '../redis/redis.constants.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { onStore } from '../redis/store-unavailable.js';
import { CaptchaTokenRepository } from './captcha-token.repository.js';

export class RedisCaptchaTokenRepository extends CaptchaTokenRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    super();
  }

  async claim(tokenHash: string, ttlMs: number): Promise<boolean> {
    // One command is atomic: no script needed.
    const set = await onStore(() => this.redis.set(this.keys.captchaToken(tokenHash), '1', 'PX', ttlMs, 'NX'));
    return set === 'OK';
  }
}

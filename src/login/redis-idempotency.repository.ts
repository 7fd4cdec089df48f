import type { RedisClient } from '../redis/redis.constants.js';
import { execOrThrow } from '../redis/exec-or-throw.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { RedisScripts } from '../redis/redis-scripts.js';
import { onStore } from '../redis/store-unavailable.js';
import { IdempotencyBegin, IdempotencyRepository } from './idempotency.repository.js';
import { BEGIN_IDEMPOTENCY } from './scripts/begin-idempotency.script.js';

export class RedisIdempotencyRepository extends IdempotencyRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly scripts: RedisScripts,
    private readonly keys: RedisKeys,
  ) {
    super();
    scripts.register(BEGIN_IDEMPOTENCY);
  }

  async begin(key: string, fingerprint: string, pendingTtlSeconds: number): Promise<IdempotencyBegin> {
    const [state, response] = await onStore(() =>
      this.scripts.run(BEGIN_IDEMPOTENCY, { idempotency: this.keys.idempotency(key) }, { fingerprint, pendingTtlMs: pendingTtlSeconds * 1000 }),
    );
    switch (state) {
      case 'started':
      case 'in_flight':
      case 'conflict':
        return { state };
      case 'completed':
        return { state, response };
      default:
        throw new Error(`unexpected reply from the idempotency script: ${String(state)}`);
    }
  }

  async complete(key: string, response: string, ttlSeconds: number): Promise<void> {
    const redisKey = this.keys.idempotency(key);
    await onStore(() => execOrThrow(this.redis.multi().hset(redisKey, 'response', response).expire(redisKey, ttlSeconds)));
  }

  async release(key: string): Promise<void> {
    await onStore(() => this.redis.del(this.keys.idempotency(key)));
  }
}

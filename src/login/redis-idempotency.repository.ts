import type { RedisClient } from '../redis/redis.constants.js';
import { execOrThrow } from '../redis/exec-or-throw.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { onStore } from '../redis/store-unavailable.js';
import { IdempotencyBegin, IdempotencyRepository } from './idempotency.repository.js';

const BEGIN = `
local v = redis.call('HMGET', KEYS[1], 'fingerprint', 'response')
if not v[1] then
  redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'started'}
end
if v[1] ~= ARGV[1] then return {'conflict'} end
if not v[2] then return {'in_flight'} end
return {'completed', v[2]}
`;

interface IdempotencyScripts {
  phoneAuthIdempotencyBegin(key: string, fingerprint: string, pendingTtlMs: number): Promise<string[]>;
}

export class RedisIdempotencyRepository extends IdempotencyRepository {
  private readonly scripts: IdempotencyScripts;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    super();
    redis.defineCommand('phoneAuthIdempotencyBegin', { numberOfKeys: 1, lua: BEGIN });
    this.scripts = redis as unknown as IdempotencyScripts;
  }

  async begin(key: string, fingerprint: string, pendingTtlSeconds: number): Promise<IdempotencyBegin> {
    const [state, response] = await onStore(() =>
      this.scripts.phoneAuthIdempotencyBegin(this.keys.idempotency(key), fingerprint, pendingTtlSeconds * 1000),
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

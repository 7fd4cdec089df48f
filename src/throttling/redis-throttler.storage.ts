import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
import type { Redis } from 'ioredis';
import { Clock } from '../common/time/clock.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { onStore } from '../redis/store-unavailable.js';

// One fixed window per key in one hash (hits, resetAt, blockedUntil): one atomic round trip,
// one slot. Deadlines follow the caller's clock, so every instance and the tests agree.
// ARGV: nowMs, ttlMs, limit, blockMs. Returns hits, ms to reset, blocked (0/1), ms to unblock.
const INCREMENT = `
local now = tonumber(ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'hits', 'resetAt', 'blockedUntil')
local hits, resetAt, blockedUntil = tonumber(h[1] or '0'), tonumber(h[2] or '0'), tonumber(h[3] or '0')
if blockedUntil > now then return {hits, math.max(0, resetAt - now), 1, blockedUntil - now} end
if resetAt <= now then
  hits = 0
  resetAt = now + tonumber(ARGV[2])
end
hits = hits + 1
local blocked = 0
if hits > tonumber(ARGV[3]) then
  blocked = 1
  blockedUntil = now + tonumber(ARGV[4])
end
redis.call('HSET', KEYS[1], 'hits', hits, 'resetAt', resetAt, 'blockedUntil', blockedUntil)
redis.call('PEXPIRE', KEYS[1], math.max(resetAt, blockedUntil) - now)
return {hits, resetAt - now, blocked, math.max(0, blockedUntil - now)}
`;

interface ThrottleScripts {
  phoneAuthThrottle(key: string, nowMs: number, ttlMs: number, limit: number, blockMs: number): Promise<number[]>;
}

export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly scripts: ThrottleScripts;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {
    redis.defineCommand('phoneAuthThrottle', { numberOfKeys: 1, lua: INCREMENT });
    this.scripts = redis as unknown as ThrottleScripts;
  }

  async increment(key: string, ttlMs: number, limit: number, blockDurationMs: number): Promise<ThrottlerStorageRecord> {
    const [hits, toResetMs, blocked, toUnblockMs] = await onStore(() =>
      this.scripts.phoneAuthThrottle(this.keys.throttle(key), this.clock.nowMs(), ttlMs, limit, blockDurationMs),
    );
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(toResetMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(toUnblockMs / 1000),
    };
  }
}

import type { Redis } from 'ioredis';
import { RedisKeys } from '../redis/redis-keys.js';
import { onStore } from '../redis/store-unavailable.js';
import { BREAKER_BUCKETS, FraudRepository, PrefixBreakerPolicy } from './fraud.repository.js';

// KEYS[1]: the prefix's hash (s<bucket>, v<bucket>, blockedUntil).
// ARGV: field ('s' or 'v'), nowMs, bucketMs, buckets, minSends, minConversion, blockMs.
const RECORD = `
local now, bucketMs, n = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local b = math.floor(now / bucketMs)
redis.call('HINCRBY', KEYS[1], ARGV[1] .. b, 1)
for old = b - 2 * n, b - n do redis.call('HDEL', KEYS[1], 's' .. old, 'v' .. old) end
local blockedUntil = tonumber(redis.call('HGET', KEYS[1], 'blockedUntil') or '0')
redis.call('PEXPIRE', KEYS[1], math.max(bucketMs * n, blockedUntil - now))
if ARGV[1] ~= 's' then return 0 end
local sends, verified = 0, 0
for i = b - n + 1, b do
  sends = sends + tonumber(redis.call('HGET', KEYS[1], 's' .. i) or '0')
  verified = verified + tonumber(redis.call('HGET', KEYS[1], 'v' .. i) or '0')
end
if sends < tonumber(ARGV[5]) or verified >= tonumber(ARGV[6]) * sends then return 0 end
blockedUntil = now + tonumber(ARGV[7])
redis.call('HSET', KEYS[1], 'blockedUntil', blockedUntil)
redis.call('PEXPIRE', KEYS[1], math.max(bucketMs * n, blockedUntil - now))
return 1
`;

// KEYS[1]: the country's counter for one clock hour. ARGV: budget, ms to the next hour.
const TAKE_BUDGET = `
local sends = tonumber(redis.call('GET', KEYS[1]) or '0')
if sends >= tonumber(ARGV[1]) then return tonumber(ARGV[2]) end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`;

interface FraudScripts {
  phoneAuthFraudRecord(key: string, ...args: (string | number)[]): Promise<number>;
  phoneAuthFraudTakeBudget(key: string, budget: number, toNextHourMs: number): Promise<number>;
}

export class RedisFraudRepository extends FraudRepository {
  private readonly scripts: FraudScripts;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    super();
    redis.defineCommand('phoneAuthFraudRecord', { numberOfKeys: 1, lua: RECORD });
    redis.defineCommand('phoneAuthFraudTakeBudget', { numberOfKeys: 1, lua: TAKE_BUDGET });
    this.scripts = redis as unknown as FraudScripts;
  }

  async prefixBlockedForMs(prefix: string, nowMs: number): Promise<number> {
    const blockedUntil = await onStore(() => this.redis.hget(this.keys.fraudPrefix(prefix), 'blockedUntil'));
    return Math.max(0, Number(blockedUntil ?? 0) - nowMs);
  }

  async takeCountryBudget(country: string, budgetPerHour: number, nowMs: number): Promise<number> {
    const hour = Math.floor(nowMs / 3_600_000);
    return onStore(() =>
      this.scripts.phoneAuthFraudTakeBudget(this.keys.fraudCountryHour(country, hour), budgetPerHour, (hour + 1) * 3_600_000 - nowMs),
    );
  }

  async recordSend(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<boolean> {
    return (await this.record('s', prefix, policy, nowMs)) === 1;
  }

  async recordVerified(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<void> {
    await this.record('v', prefix, policy, nowMs);
  }

  private record(field: 's' | 'v', prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<number> {
    return onStore(() =>
      this.scripts.phoneAuthFraudRecord(
        this.keys.fraudPrefix(prefix),
        field,
        nowMs,
        policy.windowMs / BREAKER_BUCKETS,
        BREAKER_BUCKETS,
        policy.minSends,
        policy.minConversion,
        policy.blockMs,
      ),
    );
  }
}

import type { RedisClient } from '../redis/redis.constants.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { RedisScripts } from '../redis/redis-scripts.js';
import { onStore } from '../redis/store-unavailable.js';
import { BREAKER_BUCKETS, FraudRepository, PrefixBreakerPolicy } from './fraud.repository.js';
import { RECORD_PREFIX_EVENT } from './scripts/record-prefix-event.script.js';
import { TAKE_COUNTRY_BUDGET } from './scripts/take-country-budget.script.js';

export class RedisFraudRepository extends FraudRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly scripts: RedisScripts,
    private readonly keys: RedisKeys,
  ) {
    super();
    scripts.register(RECORD_PREFIX_EVENT, TAKE_COUNTRY_BUDGET);
  }

  async prefixBlockedForMs(prefix: string, nowMs: number): Promise<number> {
    const blockedUntil = await onStore(() => this.redis.hget(this.keys.fraudPrefix(prefix), 'blockedUntil'));
    return Math.max(0, Number(blockedUntil ?? 0) - nowMs);
  }

  async takeCountryBudget(country: string, budgetPerHour: number, nowMs: number): Promise<number> {
    const hour = Math.floor(nowMs / 3_600_000);
    return onStore(() =>
      this.scripts.run(
        TAKE_COUNTRY_BUDGET,
        { countryHour: this.keys.fraudCountryHour(country, hour) },
        { budget: budgetPerHour, toNextHourMs: (hour + 1) * 3_600_000 - nowMs },
      ),
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
      this.scripts.run(
        RECORD_PREFIX_EVENT,
        { prefix: this.keys.fraudPrefix(prefix) },
        {
          field,
          nowMs,
          bucketMs: policy.windowMs / BREAKER_BUCKETS,
          buckets: BREAKER_BUCKETS,
          minSends: policy.minSends,
          minConversion: policy.minConversion,
          blockMs: policy.blockMs,
        },
      ),
    );
  }
}

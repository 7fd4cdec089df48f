import { EventLog } from '../events/event-log.js';
import type { RedisClient } from '../redis/redis.constants.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { RedisScripts } from '../redis/redis-scripts.js';
import { onStore } from '../redis/store-unavailable.js';
import { BREAKER_BUCKETS, FraudRepository, PrefixBlock, PrefixBreakerPolicy, PrefixCheck } from './fraud.repository.js';
import { CHECK_PREFIX_BLOCK } from './scripts/check-prefix-block.script.js';
import { LIFT_PREFIX_BLOCK } from './scripts/lift-prefix-block.script.js';
import { LIST_PREFIX_BLOCK } from './scripts/list-prefix-block.script.js';
import { LISTED_PREFIX_BLOCKS } from './scripts/listed-prefix-blocks.script.js';
import { RECORD_PREFIX_EVENT } from './scripts/record-prefix-event.script.js';
import { TAKE_COUNTRY_BUDGET } from './scripts/take-country-budget.script.js';
import { UNLIST_PREFIX_BLOCK } from './scripts/unlist-prefix-block.script.js';

export class RedisFraudRepository extends FraudRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly scripts: RedisScripts,
    private readonly keys: RedisKeys,
    private readonly events: EventLog,
  ) {
    super();
    scripts.register(RECORD_PREFIX_EVENT, TAKE_COUNTRY_BUDGET, CHECK_PREFIX_BLOCK, LIST_PREFIX_BLOCK, LISTED_PREFIX_BLOCKS, LIFT_PREFIX_BLOCK, UNLIST_PREFIX_BLOCK);
  }

  async checkPrefix(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<PrefixCheck> {
    const [blockedForMs, sinceMs, untilMs, sends, verified, renewals] = await onStore(() =>
      this.scripts.run(
        CHECK_PREFIX_BLOCK,
        this.prefixKeys(prefix),
        {
          nowMs,
          blockMs: policy.blockMs,
          renewMinAttempts: policy.renewMinAttempts,
          minConversion: policy.minConversion,
          windowMs: policy.windowMs,
          // Used only if this check renews the block: the script adds the block's figures.
          ...this.events.eventArgs(this.events.draft({ prefix, reason: 'renewal' })),
        },
      ),
    );
    if (untilMs === undefined) return { blockedForMs };
    return { blockedForMs, renewed: { prefix, sinceMs, untilMs, sends, verified, renewals } };
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

  async recordSend(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<PrefixBlock | null> {
    const [tripped, sends, verified] = await this.record('s', prefix, policy, nowMs);
    return tripped === 1 ? { prefix, sinceMs: nowMs, untilMs: nowMs + policy.blockMs, sends, verified, renewals: 0 } : null;
  }

  async recordVerified(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<void> {
    await this.record('v', prefix, policy, nowMs);
  }

  async listBlock(block: PrefixBlock, nowMs: number): Promise<void> {
    await onStore(() =>
      this.scripts.run(LIST_PREFIX_BLOCK, this.blockKeys(), { prefix: block.prefix, untilMs: block.untilMs, nowMs, block: JSON.stringify(block) }),
    );
  }

  async listedBlocks(nowMs: number): Promise<PrefixBlock[]> {
    const listed = await onStore(() => this.scripts.run(LISTED_PREFIX_BLOCKS, this.blockKeys(), { nowMs }));
    return listed.filter((block): block is string => typeof block === 'string').map((block) => JSON.parse(block) as PrefixBlock);
  }

  async liftBlock(prefix: string, nowMs: number): Promise<boolean> {
    // The block first: once it is gone, sends pass whether or not the list is cleaned up.
    const lifted = await onStore(() => this.scripts.run(LIFT_PREFIX_BLOCK, { prefix: this.keys.fraudPrefix(prefix) }, { nowMs }));
    await onStore(() => this.scripts.run(UNLIST_PREFIX_BLOCK, this.blockKeys(), { prefix }));
    return lifted === 1;
  }

  private prefixKeys(prefix: string) {
    return { prefix: this.keys.fraudPrefix(prefix), events: this.keys.entityEvents(this.keys.fraudPrefixTag(prefix)) };
  }

  private blockKeys() {
    return { index: this.keys.fraudBlockIndex(), details: this.keys.fraudBlockDetails() };
  }

  private record(field: 's' | 'v', prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<number[]> {
    return onStore(() =>
      this.scripts.run(
        RECORD_PREFIX_EVENT,
        this.prefixKeys(prefix),
        {
          field,
          nowMs,
          bucketMs: policy.windowMs / BREAKER_BUCKETS,
          buckets: BREAKER_BUCKETS,
          minSends: policy.minSends,
          minConversion: policy.minConversion,
          blockMs: policy.blockMs,
          // Used only if this send trips the breaker: the script adds the window's figures.
          ...this.events.eventArgs(this.events.draft({ prefix, reason: 'breaker', sinceMs: nowMs, untilMs: nowMs + policy.blockMs, renewals: 0 })),
        },
      ),
    );
  }
}

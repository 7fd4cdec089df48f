import type { EventLog } from '../events/event-log.js';
import { BREAKER_BUCKETS, FraudRepository, PrefixBlock, PrefixBreakerPolicy, PrefixCheck } from './fraud.repository.js';

interface PrefixState {
  buckets: Map<number, { sends: number; verified: number }>;
  blockedUntilMs: number;
  blockedSinceMs: number;
  /** Attempts into the current block, and verified codes during it. */
  attempts: number;
  verified: number;
  renewals: number;
}

export class InMemoryFraudRepository extends FraudRepository {
  private readonly prefixes = new Map<string, PrefixState>();
  private readonly countries = new Map<string, { hour: number; sends: number }>();
  private readonly blocks = new Map<string, PrefixBlock>();

  /** The in-memory log records synchronously: fraud.blocked lands with the block. */
  constructor(private readonly events: EventLog) {
    super();
  }

  private recordBlocked(block: PrefixBlock, reason: 'breaker' | 'renewal'): PrefixBlock {
    void this.events.append('fraud.blocked', this.events.draft({ ...block, reason }));
    return block;
  }

  async checkPrefix(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<PrefixCheck> {
    const state = this.prefixes.get(prefix);
    if (state === undefined || state.blockedUntilMs === 0) return { blockedForMs: 0 };
    if (state.blockedUntilMs > nowMs) {
      state.attempts += 1;
      return { blockedForMs: state.blockedUntilMs - nowMs };
    }
    const { attempts, verified } = state;
    // A block that ended a window ago or more is forgotten, as the Redis key's expiry forgets it.
    if (state.blockedUntilMs + policy.windowMs <= nowMs || attempts < policy.renewMinAttempts || verified >= policy.minConversion * attempts) {
      Object.assign(state, { blockedUntilMs: 0, blockedSinceMs: 0, attempts: 0, verified: 0, renewals: 0 });
      return { blockedForMs: 0 };
    }
    Object.assign(state, { blockedUntilMs: nowMs + policy.blockMs, attempts: 1, verified: 0, renewals: state.renewals + 1 });
    const renewed = { prefix, sinceMs: state.blockedSinceMs, untilMs: state.blockedUntilMs, sends: attempts, verified, renewals: state.renewals };
    return { blockedForMs: policy.blockMs, renewed: this.recordBlocked(renewed, 'renewal') };
  }

  async takeCountryBudget(country: string, budgetPerHour: number, nowMs: number): Promise<number> {
    const hour = Math.floor(nowMs / 3_600_000);
    const current = this.countries.get(country);
    const sends = current?.hour === hour ? current.sends : 0;
    if (sends >= budgetPerHour) return (hour + 1) * 3_600_000 - nowMs;
    this.countries.set(country, { hour, sends: sends + 1 });
    return 0;
  }

  async recordSend(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<PrefixBlock | null> {
    const state = this.count(prefix, 'sends', policy, nowMs);
    if (state.blockedUntilMs > nowMs) return null;
    let sends = 0;
    let verified = 0;
    for (const bucket of state.buckets.values()) {
      sends += bucket.sends;
      verified += bucket.verified;
    }
    if (sends < policy.minSends || verified >= policy.minConversion * sends) return null;
    Object.assign(state, { blockedUntilMs: nowMs + policy.blockMs, blockedSinceMs: nowMs, attempts: 0, verified: 0, renewals: 0 });
    return this.recordBlocked({ prefix, sinceMs: nowMs, untilMs: state.blockedUntilMs, sends, verified, renewals: 0 }, 'breaker');
  }

  async recordVerified(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<void> {
    const state = this.count(prefix, 'verified', policy, nowMs);
    if (state.blockedUntilMs > nowMs) state.verified += 1;
  }

  async listBlock(block: PrefixBlock): Promise<void> {
    this.blocks.set(block.prefix, { ...block });
  }

  async listedBlocks(nowMs: number): Promise<PrefixBlock[]> {
    for (const [prefix, block] of this.blocks) if (block.untilMs <= nowMs) this.blocks.delete(prefix);
    return [...this.blocks.values()].sort((a, b) => a.untilMs - b.untilMs).map((block) => ({ ...block }));
  }

  async liftBlock(prefix: string, nowMs: number): Promise<boolean> {
    this.blocks.delete(prefix);
    const blocked = (this.prefixes.get(prefix)?.blockedUntilMs ?? 0) > nowMs;
    if (blocked) this.prefixes.delete(prefix);
    return blocked;
  }

  private count(prefix: string, field: 'sends' | 'verified', policy: PrefixBreakerPolicy, nowMs: number): PrefixState {
    const state = this.prefixes.get(prefix) ?? { buckets: new Map(), blockedUntilMs: 0, blockedSinceMs: 0, attempts: 0, verified: 0, renewals: 0 };
    this.prefixes.set(prefix, state);
    const bucket = Math.floor(nowMs / (policy.windowMs / BREAKER_BUCKETS));
    for (const old of state.buckets.keys()) if (old <= bucket - BREAKER_BUCKETS) state.buckets.delete(old);
    const counts = state.buckets.get(bucket) ?? { sends: 0, verified: 0 };
    counts[field] += 1;
    state.buckets.set(bucket, counts);
    return state;
  }
}

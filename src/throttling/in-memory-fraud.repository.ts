import { BREAKER_BUCKETS, FraudRepository, PrefixBreakerPolicy } from './fraud.repository.js';

interface PrefixState {
  buckets: Map<number, { sends: number; verified: number }>;
  blockedUntilMs: number;
}

export class InMemoryFraudRepository extends FraudRepository {
  private readonly prefixes = new Map<string, PrefixState>();
  private readonly countries = new Map<string, { hour: number; sends: number }>();

  async prefixBlockedForMs(prefix: string, nowMs: number): Promise<number> {
    return Math.max(0, (this.prefixes.get(prefix)?.blockedUntilMs ?? 0) - nowMs);
  }

  async takeCountryBudget(country: string, budgetPerHour: number, nowMs: number): Promise<number> {
    const hour = Math.floor(nowMs / 3_600_000);
    const current = this.countries.get(country);
    const sends = current?.hour === hour ? current.sends : 0;
    if (sends >= budgetPerHour) return (hour + 1) * 3_600_000 - nowMs;
    this.countries.set(country, { hour, sends: sends + 1 });
    return 0;
  }

  async recordSend(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<boolean> {
    const state = this.count(prefix, 'sends', policy, nowMs);
    let sends = 0;
    let verified = 0;
    for (const bucket of state.buckets.values()) {
      sends += bucket.sends;
      verified += bucket.verified;
    }
    if (sends < policy.minSends || verified >= policy.minConversion * sends) return false;
    state.blockedUntilMs = nowMs + policy.blockMs;
    return true;
  }

  async recordVerified(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<void> {
    this.count(prefix, 'verified', policy, nowMs);
  }

  private count(prefix: string, field: 'sends' | 'verified', policy: PrefixBreakerPolicy, nowMs: number): PrefixState {
    const state = this.prefixes.get(prefix) ?? { buckets: new Map(), blockedUntilMs: 0 };
    this.prefixes.set(prefix, state);
    const bucket = Math.floor(nowMs / (policy.windowMs / BREAKER_BUCKETS));
    for (const old of state.buckets.keys()) if (old <= bucket - BREAKER_BUCKETS) state.buckets.delete(old);
    const counts = state.buckets.get(bucket) ?? { sends: 0, verified: 0 };
    counts[field] += 1;
    state.buckets.set(bucket, counts);
    return state;
  }
}

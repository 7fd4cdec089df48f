export interface PrefixBreakerPolicy {
  windowMs: number;
  minSends: number;
  /** Share of sends (0 to 1) that must be verified within the window. */
  minConversion: number;
  blockMs: number;
}

/** The sliding window is made of this many buckets. */
export const BREAKER_BUCKETS = 6;

/**
 * Counters of the fraud guard. Prefixes are the first digits of numbers (all but the last four);
 * countries are ISO 3166-1 alpha-2. Each method is atomic on its one key.
 */
export abstract class FraudRepository {
  /** Milliseconds until the prefix may receive codes again; 0 when it is not blocked. */
  abstract prefixBlockedForMs(prefix: string, nowMs: number): Promise<number>;

  /**
   * Counts one send to the country in the current clock hour, unless the budget is spent.
   * Returns 0 when taken, else the milliseconds until the next hour.
   */
  abstract takeCountryBudget(country: string, budgetPerHour: number, nowMs: number): Promise<number>;

  /**
   * Counts a delivered code for the prefix. When the window holds at least `minSends` sends and
   * fewer than `minConversion` of them were verified, blocks the prefix for `blockMs` and returns true.
   */
  abstract recordSend(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<boolean>;

  abstract recordVerified(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<void>;
}

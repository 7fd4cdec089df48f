export interface PrefixBreakerPolicy {
  windowMs: number;
  minSends: number;
  /** Share of sends (0 to 1) that must be verified within the window. */
  minConversion: number;
  blockMs: number;
  /** Attempts into a block, over the whole block, that renew it when it ends (if they converted below minConversion). */
  renewMinAttempts: number;
}

/** The sliding window is made of this many buckets. */
export const BREAKER_BUCKETS = 6;

/** A blocked prefix, as the admin list shows it. */
export interface PrefixBlock {
  prefix: string;
  sinceMs: number;
  untilMs: number;
  /** Sends in the window that tripped it; after a renewal, attempts into the block that renewed it. */
  sends: number;
  /** Of those, the verified ones. */
  verified: number;
  renewals: number;
}

export interface PrefixCheck {
  /** 0 when the prefix is not blocked. */
  blockedForMs: number;
  /** Set when this check found the block ended and renewed it. */
  renewed?: PrefixBlock;
}

/**
 * Counters of the fraud guard. Prefixes are the first digits of numbers (all but the last four);
 * countries are ISO 3166-1 alpha-2. Each method is atomic on its one key, or its one slot.
 *
 * A trip (recordSend) and a renewal (checkPrefix) record `fraud.blocked` in the same atomic step.
 * A block lives on its prefix's key (the truth the guard reads). The list of blocks is an index
 * the guard writes after a trip or a renewal (listBlock); if that write fails the block still
 * holds, only the list misses it until it renews or ends.
 */
export abstract class FraudRepository {
  /**
   * Whether the prefix is blocked, counting the attempt into a live block. The first check after
   * a block ended renews it for `blockMs` when at least `renewMinAttempts` attempts came during
   * the block and fewer than `minConversion` of them were verified; otherwise it clears the block.
   */
  abstract checkPrefix(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<PrefixCheck>;

  /**
   * Counts one send to the country in the current clock hour, unless the budget is spent.
   * Returns 0 when taken, else the milliseconds until the next hour.
   */
  abstract takeCountryBudget(country: string, budgetPerHour: number, nowMs: number): Promise<number>;

  /**
   * Counts a delivered code for the prefix. When the prefix is not blocked, the window holds at
   * least `minSends` sends and fewer than `minConversion` of them were verified, blocks the
   * prefix for `blockMs` and returns the block; else null.
   */
  abstract recordSend(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<PrefixBlock | null>;

  /** Counts a verified code for the prefix (in the window, and in its block if blocked). */
  abstract recordVerified(prefix: string, policy: PrefixBreakerPolicy, nowMs: number): Promise<void>;

  /** Adds or replaces the block in the list of blocks. */
  abstract listBlock(block: PrefixBlock, nowMs: number): Promise<void>;

  /** Listed blocks still in force, soonest end first; ended ones are dropped from the list. */
  abstract listedBlocks(nowMs: number): Promise<PrefixBlock[]>;

  /** Ends the prefix's block and forgets its counters; false when it was not blocked. */
  abstract liftBlock(prefix: string, nowMs: number): Promise<boolean>;
}

import type { Clock } from '../common/time/clock.js';

/** A source of uniform numbers in [0, 1): injected so tests can pin the jitter. */
export type RandomSource = () => number;

/**
 * When a failed delivery is tried again: exponential backoff with full jitter (a uniform delay
 * between 0 and `base × 2^(attempt-1)`, capped), so many instances retrying one subscriber that
 * came back spread out instead of arriving together. A delivery past its deadline (the event's
 * time plus EVENT_RETRY_HOURS) is not retried: it goes to the dead letters.
 */
export class RetryPolicy {
  constructor(
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly baseMs: number,
    private readonly capMs: number,
  ) {}

  /** The delay before attempt `failedAttempts + 1`, after `failedAttempts` failures (≥ 1). */
  delayMs(failedAttempts: number): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(failedAttempts - 1, 30));
    return Math.floor(this.random() * ceiling);
  }

  /** The due time of the next attempt, or undefined when the deadline passes first (dead letter). */
  nextDueMs(failedAttempts: number, deadlineMs: number): number | undefined {
    const now = this.clock.nowMs();
    if (now >= deadlineMs) return undefined;
    return Math.min(now + this.delayMs(failedAttempts), deadlineMs);
  }
}

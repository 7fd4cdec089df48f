import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
import { Clock } from '../common/time/clock.js';

interface Window {
  hits: number;
  resetAtMs: number;
  blockedUntilMs: number;
}

/**
 * Fixed windows per key, for one process. Unlike the throttler's default storage it keeps no
 * timer per hit and evicts what has expired, so memory stays bounded.
 */
export class InMemoryThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private calls = 0;

  constructor(private readonly clock: Clock) {}

  async increment(key: string, ttlMs: number, limit: number, blockDurationMs: number): Promise<ThrottlerStorageRecord> {
    const nowMs = this.clock.nowMs();
    this.evictEvery(1000, nowMs);
    let window = this.windows.get(key);
    if (window && window.blockedUntilMs > nowMs) return toRecord(window, nowMs, true);
    if (window === undefined || window.resetAtMs <= nowMs) {
      window = { hits: 0, resetAtMs: nowMs + ttlMs, blockedUntilMs: 0 };
      this.windows.set(key, window);
    }
    window.hits += 1;
    const blocked = window.hits > limit;
    if (blocked) window.blockedUntilMs = nowMs + blockDurationMs;
    return toRecord(window, nowMs, blocked);
  }

  private evictEvery(calls: number, nowMs: number): void {
    this.calls += 1;
    if (this.calls % calls !== 0) return;
    for (const [key, window] of this.windows) {
      if (window.resetAtMs <= nowMs && window.blockedUntilMs <= nowMs) this.windows.delete(key);
    }
  }
}

function toRecord(window: Window, nowMs: number, isBlocked: boolean): ThrottlerStorageRecord {
  return {
    totalHits: window.hits,
    timeToExpire: Math.max(0, Math.ceil((window.resetAtMs - nowMs) / 1000)),
    isBlocked,
    timeToBlockExpire: Math.max(0, Math.ceil((window.blockedUntilMs - nowMs) / 1000)),
  };
}

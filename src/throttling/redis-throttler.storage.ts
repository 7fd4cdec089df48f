import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
import { Clock } from '../common/time/clock.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { RedisScripts } from '../redis/redis-scripts.js';
import { onStore } from '../redis/store-unavailable.js';
import { INCREMENT_THROTTLE } from './scripts/increment-throttle.script.js';

// One fixed window per key in one hash (scripts/increment-throttle.script.ts).
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly scripts: RedisScripts,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {
    scripts.register(INCREMENT_THROTTLE);
  }

  async increment(key: string, ttlMs: number, limit: number, blockDurationMs: number): Promise<ThrottlerStorageRecord> {
    const [hits, toResetMs, blocked, toUnblockMs] = await onStore(() =>
      this.scripts.run(
        INCREMENT_THROTTLE,
        { throttle: this.keys.throttle(key) },
        { nowMs: this.clock.nowMs(), ttlMs, limit, blockMs: blockDurationMs },
      ),
    );
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(toResetMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(toUnblockMs / 1000),
    };
  }
}

import { defineScript } from '../../redis/redis-script.js';

/** Removes a retry that was delivered, from the schedule and its details together. */
export const COMPLETE_RETRY = defineScript<number>()({
  name: 'phoneAuthEventCompleteRetry',
  keys: ['retries', 'details'],
  args: ['member'],
  lua: `
-- KEYS[1] retries the shard's retry schedule (sorted set by due time)
-- KEYS[2] details each retry's event and attempts (hash by member, JSON)
-- ARGV[1] member  subscriber and event
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('ZREM', KEYS[1], ARGV[1])
`,
});

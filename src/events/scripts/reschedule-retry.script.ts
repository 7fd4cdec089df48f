import { defineScript } from '../../redis/redis-script.js';

/** Records a failed retry: its new due time and its attempts and last error, together. */
export const RESCHEDULE_RETRY = defineScript<number>()({
  name: 'phoneAuthEventRescheduleRetry',
  keys: ['retries', 'details'],
  args: ['member', 'dueMs', 'detail'],
  lua: `
-- KEYS[1] retries the shard's retry schedule (sorted set by due time)
-- KEYS[2] details each retry's event and attempts (hash by member, JSON)
-- ARGV[1] member  subscriber and event
-- ARGV[2] dueMs   the next attempt's time
-- ARGV[3] detail  the retry's JSON after this attempt
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
`,
});

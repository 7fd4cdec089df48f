import { defineScript } from '../../redis/redis-script.js';

/** Acknowledges a stream entry and schedules its failed deliveries, in one step: a crash loses neither. */
export const SETTLE_EVENT = defineScript<number>()({
  name: 'phoneAuthEventSettle',
  keys: ['stream', 'retries', 'details'],
  args: ['group', 'entryId'],
  rest: ['member', 'dueMs', 'detail'],
  lua: `
-- KEYS[1] stream  the shard's event stream
-- KEYS[2] retries the shard's retry schedule (sorted set by due time)
-- KEYS[3] details each retry's event and attempts (hash by member, JSON)
-- ARGV[1] group   the dispatchers' consumer group
-- ARGV[2] entryId the entry to acknowledge
-- ARGV[3..] (member, dueMs, detail) each failed delivery: subscriber and event, due time, JSON
-- Replies the number of entries acknowledged (0: another dispatcher settled it first).
for i = 3, #ARGV, 3 do
  redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i])
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 2])
end
return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
`,
});

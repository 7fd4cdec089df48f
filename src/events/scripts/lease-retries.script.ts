import { defineScript } from '../../redis/redis-script.js';

/**
 * Takes the due retries of a shard by moving their score to the lease's end: a dispatcher that
 * dies with them leased gives them back when the lease ends, and no other dispatcher takes them before.
 */
export const LEASE_RETRIES = defineScript<string[]>()({
  name: 'phoneAuthEventLeaseRetries',
  keys: ['retries', 'details'],
  args: ['nowMs', 'leaseUntilMs', 'count'],
  lua: `
-- KEYS[1] retries      the shard's retry schedule (sorted set by due time)
-- KEYS[2] details      each retry's event and attempts (hash by member, JSON)
-- ARGV[1] nowMs        what is due
-- ARGV[2] leaseUntilMs the leased retries' new score
-- ARGV[3] count        at most this many
-- Replies the leased retries' details (JSON each).
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local leased = {}
for _, member in ipairs(due) do
  local detail = redis.call('HGET', KEYS[2], member)
  if detail then
    redis.call('ZADD', KEYS[1], ARGV[2], member)
    leased[#leased + 1] = detail
  else
    redis.call('ZREM', KEYS[1], member)
  end
end
return leased
`,
});

import { defineScript } from '../../redis/redis-script.js';

/**
 * One hit on a fixed rate-limit window: one atomic round trip on one hash, one slot. Deadlines
 * follow the caller's clock, so every instance and the tests agree.
 */
export const INCREMENT_THROTTLE = defineScript<number[]>()({
  name: 'phoneAuthThrottle',
  keys: ['throttle'],
  args: ['nowMs', 'ttlMs', 'limit', 'blockMs'],
  lua: `
-- KEYS[1] throttle the window (hash: hits, resetAt, blockedUntil)
-- ARGV[1] nowMs    the caller's clock
-- ARGV[2] ttlMs    the window's length
-- ARGV[3] limit    hits allowed in a window
-- ARGV[4] blockMs  how long a key past its limit stays blocked
-- Replies {hits, ms to reset, blocked (0/1), ms to unblock}.
local throttle = KEYS[1]
local now, ttlMs, limit, blockMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local h = redis.call('HMGET', throttle, 'hits', 'resetAt', 'blockedUntil')
local hits, resetAt, blockedUntil = tonumber(h[1] or '0'), tonumber(h[2] or '0'), tonumber(h[3] or '0')
if blockedUntil > now then return {hits, math.max(0, resetAt - now), 1, blockedUntil - now} end
if resetAt <= now then
  hits = 0
  resetAt = now + ttlMs
end
hits = hits + 1
local blocked = 0
if hits > limit then
  blocked = 1
  blockedUntil = now + blockMs
end
redis.call('HSET', throttle, 'hits', hits, 'resetAt', resetAt, 'blockedUntil', blockedUntil)
redis.call('PEXPIRE', throttle, math.max(resetAt, blockedUntil) - now)
return {hits, resetAt - now, blocked, math.max(0, blockedUntil - now)}
`,
});

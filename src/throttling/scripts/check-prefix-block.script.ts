import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS } from '../../events/event-script.js';

/**
 * Whether a prefix is blocked. Counts an attempt into a live block; the first check after the
 * block ended renews it if attempts kept coming and did not convert (recording `fraud.blocked`),
 * else clears it.
 */
export const CHECK_PREFIX_BLOCK = defineScript<number[]>()({
  name: 'phoneAuthFraudCheckBlock',
  keys: ['prefix', 'events'],
  args: ['nowMs', 'blockMs', 'renewMinAttempts', 'minConversion', 'windowMs', ...EVENT_ARGS],
  lua: `
-- KEYS[1] prefix           the prefix's hash (see record-prefix-event: blockedUntil, blockedSince, ba, bv, renewals)
-- ARGV[1] nowMs            the caller's clock
-- ARGV[2] blockMs          how long a renewed block lasts
-- ARGV[3] renewMinAttempts attempts during the block that renew it
-- ARGV[4] minConversion    ...when fewer than this share of them were verified
-- ARGV[5] windowMs         the breaker's window: the key outlives a block by it
-- Replies {0} when not blocked, {ms blocked} when blocked, and
-- {ms blocked, since, until, attempts, verified, renewals} when this check renewed the block.
-- KEYS[2] events the shard's event stream (the script's event goes there, with its change)
-- ARGV[6] eventId the event's id (a further event of this step: <id>.<n>)
-- ARGV[7] eventTimeMs when it happened (the caller's clock)
-- ARGV[8] eventData its payload as a JSON object; fields read here are added to it
-- ARGV[9] eventStreamMaxLength the stream's approximate cap (XADD MAXLEN ~)
local function recordEvent(eventType, extra, nth)
  local data = ARGV[8]
  if extra then
    -- Spliced, not decoded: the caller's JSON (and its numbers) stays byte for byte.
    local more = cjson.encode(extra)
    if more ~= '{}' then
      if data == '{}' then data = more else data = string.sub(data, 1, -2) .. ',' .. string.sub(more, 2) end
    end
  end
  local id = ARGV[6]
  if nth and nth > 1 then id = id .. '.' .. nth end
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[9], '*', 'id', id, 'type', eventType, 'time', ARGV[7], 'data', data)
end
local prefix = KEYS[1]
local now, blockMs, renewMin = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local minConversion, windowMs = tonumber(ARGV[4]), tonumber(ARGV[5])
local h = redis.call('HMGET', prefix, 'blockedUntil', 'blockedSince', 'ba', 'bv', 'renewals')
local blockedUntil = tonumber(h[1] or '0')
if blockedUntil == 0 then return {0} end
if blockedUntil > now then
  redis.call('HINCRBY', prefix, 'ba', 1)
  return {blockedUntil - now}
end
local attempts, verified, renewals = tonumber(h[3] or '0'), tonumber(h[4] or '0'), tonumber(h[5] or '0')
-- A block that ended a window ago or more is forgotten, as the key's expiry would (by the caller's clock).
if blockedUntil + windowMs <= now or attempts < renewMin or verified >= minConversion * attempts then
  redis.call('HDEL', prefix, 'blockedUntil', 'blockedSince', 'ba', 'bv', 'renewals')
  return {0}
end
blockedUntil = now + blockMs
renewals = renewals + 1
redis.call('HSET', prefix, 'blockedUntil', blockedUntil, 'ba', 1, 'bv', 0, 'renewals', renewals)
redis.call('PEXPIRE', prefix, blockMs + windowMs)
recordEvent('fraud.blocked', {sinceMs = tonumber(h[2] or '0'), untilMs = blockedUntil, sends = attempts, verified = verified, renewals = renewals})
return {blockMs, tonumber(h[2] or '0'), blockedUntil, attempts, verified, renewals}
`,
});

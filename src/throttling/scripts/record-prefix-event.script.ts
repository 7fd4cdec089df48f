import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS } from '../../events/event-script.js';

/**
 * Counts a send or a verified send of a number prefix in time buckets, and blocks the prefix once
 * enough sends convert too rarely (the prefix breaker), recording `fraud.blocked` then.
 */
export const RECORD_PREFIX_EVENT = defineScript<number[]>()({
  name: 'phoneAuthFraudRecord',
  keys: ['prefix', 'events'],
  args: ['field', 'nowMs', 'bucketMs', 'buckets', 'minSends', 'minConversion', 'blockMs', ...EVENT_ARGS],
  lua: `
-- KEYS[1] prefix        the prefix's hash (s<bucket> sends, v<bucket> verified, blockedUntil,
--                       blockedSince, ba/bv attempts and verified codes during the block, renewals)
-- ARGV[1] field         's' for a send, 'v' for a verified send
-- ARGV[2] nowMs         the caller's clock
-- ARGV[3] bucketMs      one bucket's length
-- ARGV[4] buckets       buckets in the window
-- ARGV[5] minSends      sends in the window before the breaker may open
-- ARGV[6] minConversion the breaker opens below this share of verified sends
-- ARGV[7] blockMs       how long an open breaker blocks the prefix
-- Replies {1, sends, verified} when this send opened the breaker, {0} otherwise.
-- The key outlives a block by a window, so that the first attempt after it can judge a renewal.
-- KEYS[2] events the shard's event stream (the script's event goes there, with its change)
-- ARGV[8] eventId the event's id (a further event of this step: <id>.<n>)
-- ARGV[9] eventTimeMs when it happened (the caller's clock)
-- ARGV[10] eventData its payload as a JSON object; fields read here are added to it
-- ARGV[11] eventStreamMaxLength the stream's approximate cap (XADD MAXLEN ~)
local function recordEvent(eventType, extra, nth)
  local data = ARGV[10]
  if extra then
    -- Spliced, not decoded: the caller's JSON (and its numbers) stays byte for byte.
    local more = cjson.encode(extra)
    if more ~= '{}' then
      if data == '{}' then data = more else data = string.sub(data, 1, -2) .. ',' .. string.sub(more, 2) end
    end
  end
  local id = ARGV[8]
  if nth and nth > 1 then id = id .. '.' .. nth end
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[11], '*', 'id', id, 'type', eventType, 'time', ARGV[9], 'data', data)
end
local prefix = KEYS[1]
local field, now, bucketMs, n = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local minSends, minConversion, blockMs = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local windowMs = bucketMs * n
local b = math.floor(now / bucketMs)
redis.call('HINCRBY', prefix, field .. b, 1)
for old = b - 2 * n, b - n do redis.call('HDEL', prefix, 's' .. old, 'v' .. old) end
local blockedUntil = tonumber(redis.call('HGET', prefix, 'blockedUntil') or '0')
redis.call('PEXPIRE', prefix, math.max(windowMs, blockedUntil - now + windowMs))
if blockedUntil > now then
  if field == 'v' then redis.call('HINCRBY', prefix, 'bv', 1) end
  return {0}
end
if field ~= 's' then return {0} end
local sends, verified = 0, 0
for i = b - n + 1, b do
  sends = sends + tonumber(redis.call('HGET', prefix, 's' .. i) or '0')
  verified = verified + tonumber(redis.call('HGET', prefix, 'v' .. i) or '0')
end
if sends < minSends or verified >= minConversion * sends then return {0} end
blockedUntil = now + blockMs
redis.call('HSET', prefix, 'blockedUntil', blockedUntil, 'blockedSince', now, 'ba', 0, 'bv', 0, 'renewals', 0)
redis.call('PEXPIRE', prefix, blockMs + windowMs)
recordEvent('fraud.blocked', {sends = sends, verified = verified})
return {1, sends, verified}
`,
});

import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS } from '../../events/event-script.js';

/**
 * Cancels a pending verification (recording `verification.canceled`) and returns it as it now is
 * (ioredis turns Lua's false into null).
 */
export const CANCEL = defineScript<string[] | null>()({
  name: 'phoneAuthOtpCancel',
  keys: ['verification', 'events'],
  args: ['id', ...EVENT_ARGS],
  lua: `
-- KEYS[1] verification the phone's verification (hash)
-- ARGV[1] id           the verification id
-- Replies the verification as field, value, ..., or false when it is not this one.
-- KEYS[2] events the shard's event stream (the script's event goes there, with its change)
-- ARGV[2] eventId the event's id (a further event of this step: <id>.<n>)
-- ARGV[3] eventTimeMs when it happened (the caller's clock)
-- ARGV[4] eventData its payload as a JSON object; fields read here are added to it
-- ARGV[5] eventStreamMaxLength the stream's approximate cap (XADD MAXLEN ~)
local function recordEvent(eventType, extra, nth)
  local data = ARGV[4]
  if extra then
    -- Spliced, not decoded: the caller's JSON (and its numbers) stays byte for byte.
    local more = cjson.encode(extra)
    if more ~= '{}' then
      if data == '{}' then data = more else data = string.sub(data, 1, -2) .. ',' .. string.sub(more, 2) end
    end
  end
  local id = ARGV[2]
  if nth and nth > 1 then id = id .. '.' .. nth end
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'id', id, 'type', eventType, 'time', ARGV[3], 'data', data)
end
local verification = KEYS[1]
local id = ARGV[1]
local v = redis.call('HMGET', verification, 'id', 'status', 'phone')
if v[1] ~= id then return false end
if v[2] == 'pending' then
  redis.call('HSET', verification, 'status', 'canceled')
  recordEvent('verification.canceled', {verificationId = id, phone = v[3]})
end
return redis.call('HGETALL', verification)
`,
});

import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS } from '../../events/event-script.js';

/**
 * Deletes a session and returns what it held (empty when there was none); a live one's end is
 * recorded as `session.revoked` (the draft names the reason; its user is read here).
 */
export const REVOKE_SESSION = defineScript<string[]>()({
  name: 'phoneAuthSessionRevoke',
  keys: ['session', 'events'],
  args: ['nowMs', ...EVENT_ARGS],
  lua: `
-- KEYS[1] session the session (hash)
-- ARGV[1] nowMs   the caller's clock: a session past its expiry ends unrecorded
-- Replies the session as field, value, ... before it was deleted.
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
local session = KEYS[1]
local record = redis.call('HGETALL', session)
local s = redis.call('HMGET', session, 'userId', 'expiresAtMs', 'idleExpiresAtMs')
local now = tonumber(ARGV[1])
redis.call('DEL', session)
if s[1] and now < tonumber(s[2]) and now < tonumber(s[3]) then recordEvent('session.revoked', {userId = s[1]}) end
return record
`,
});

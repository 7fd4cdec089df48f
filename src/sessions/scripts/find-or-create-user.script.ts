import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS } from '../../events/event-script.js';

/** The phone's user id, indexing `newId` (and recording `user.created`) when the phone has none yet. */
export const FIND_OR_CREATE_USER = defineScript<string | null>()({
  name: 'phoneAuthUserFindOrCreate',
  keys: ['phoneIndex', 'events'],
  args: ['newId', ...EVENT_ARGS],
  lua: `
-- KEYS[1] phoneIndex the phone's user id (string)
-- ARGV[1] newId      the id the phone's first user gets
-- Replies the existing id, or false when newId was indexed (first writer wins).
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
local existing = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'GET')
if not existing then recordEvent('user.created') end
return existing
`,
});

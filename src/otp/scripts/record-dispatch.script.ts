import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS } from '../../events/event-script.js';

/**
 * Records which provider took a send, on the verification that send opened if it is still pending,
 * and records `verification.sent` with it.
 */
export const RECORD_DISPATCH = defineScript<number>()({
  name: 'phoneAuthOtpRecordDispatch',
  keys: ['verification', 'events'],
  args: ['id', 'channel', 'provider', 'providerRef', 'providerOwnsCode', ...EVENT_ARGS],
  lua: `
-- KEYS[1] verification     the phone's verification (hash)
-- ARGV[1] id               the verification id
-- ARGV[2] channel          the channel that carried it (another than the start's after a fall-through)
-- ARGV[3] provider         the provider's name
-- ARGV[4] providerRef      the provider's id of the message or verification
-- ARGV[5] providerOwnsCode '1' when the provider checks the code itself (our code hash is dropped)
-- Replies 1 when recorded, 0 when the verification is gone or no longer pending.
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
local verification = KEYS[1]
local id, channel, provider, providerRef, providerOwnsCode = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local v = redis.call('HMGET', verification, 'id', 'status', 'phone')
if v[1] ~= id or v[2] ~= 'pending' then return 0 end
redis.call('HSET', verification, 'channel', channel, 'provider', provider, 'providerRef', providerRef)
if providerOwnsCode == '1' then redis.call('HSET', verification, 'codeHash', '') end
recordEvent('verification.sent', {phone = v[3]})
return 1
`,
});

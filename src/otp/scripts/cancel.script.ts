import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS, eventLua } from '../../events/event-script.js';

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
${eventLua(2, 2)}
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

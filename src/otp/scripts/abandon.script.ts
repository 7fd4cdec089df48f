import { defineScript } from '../../redis/redis-script.js';

/** Gives up a verification whose code never went out: canceled, and no cooldown left to wait. */
export const ABANDON = defineScript<number>()({
  name: 'phoneAuthOtpAbandon',
  keys: ['verification'],
  args: ['id', 'nowMs'],
  lua: `
-- KEYS[1] verification the phone's verification (hash)
-- ARGV[1] id           the verification id
-- ARGV[2] nowMs        the caller's clock: a resend is allowed from now on
-- Replies 1 when the verification was found, 0 otherwise.
local verification = KEYS[1]
local id, nowMs = ARGV[1], ARGV[2]
local v = redis.call('HMGET', verification, 'id', 'status', 'resendAt')
if v[1] ~= id then return 0 end
if v[2] == 'pending' then redis.call('HSET', verification, 'status', 'canceled') end
if tonumber(v[3]) > tonumber(nowMs) then redis.call('HSET', verification, 'resendAt', nowMs) end
return 1
`,
});

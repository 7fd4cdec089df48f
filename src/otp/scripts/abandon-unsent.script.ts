import { defineScript } from '../../redis/redis-script.js';

/** Undoes a send that never reached a provider; only the verification that exact send left behind is touched. */
export const ABANDON_UNSENT = defineScript<number>()({
  name: 'phoneAuthOtpAbandonUnsent',
  keys: ['verification'],
  args: ['sentAtMs', 'cooldownMs'],
  lua: `
-- KEYS[1] verification the phone's verification (hash)
-- ARGV[1] sentAtMs     the caller's clock when the send started
-- ARGV[2] cooldownMs   the cooldown that send set: resendAt = sentAtMs + cooldownMs identifies it
-- Replies 1 when that verification was canceled, 0 otherwise.
local verification = KEYS[1]
local sentAtMs, cooldownMs = ARGV[1], ARGV[2]
local v = redis.call('HMGET', verification, 'status', 'resendAt')
if v[1] ~= 'pending' or tonumber(v[2]) ~= tonumber(sentAtMs) + tonumber(cooldownMs) then return 0 end
redis.call('HSET', verification, 'status', 'canceled', 'resendAt', sentAtMs)
return 1
`,
});

import { defineScript } from '../../redis/redis-script.js';

/**
 * Undoes a send that never reached a provider: only the verification that exact send left behind
 * is touched, and the send it counted on the phone's send limits is given back.
 */
export const ABANDON_UNSENT = defineScript<number>()({
  name: 'phoneAuthOtpAbandonUnsent',
  keys: ['verification', 'sends'],
  args: ['sentAtMs', 'cooldownMs'],
  rest: ['limit'],
  lua: `
-- KEYS[1] verification the phone's verification (hash)
-- KEYS[2] sends        the phone's send counts (hash: c<i> count, r<i> window end of limit i)
-- ARGV[1] sentAtMs     the caller's clock when the send started
-- ARGV[2] cooldownMs   the cooldown that send set: resendAt = sentAtMs + cooldownMs identifies it
-- ARGV[3..] (limit)    the send limits (their i in c<i>) that send counted on: those of every
--                      channel and those of its own
-- Replies 1 when that verification was canceled, 0 otherwise.
local verification, sends = KEYS[1], KEYS[2]
local sentAtMs, cooldownMs = ARGV[1], ARGV[2]
local v = redis.call('HMGET', verification, 'status', 'resendAt')
if v[1] ~= 'pending' or tonumber(v[2]) ~= tonumber(sentAtMs) + tonumber(cooldownMs) then return 0 end
redis.call('HSET', verification, 'status', 'canceled', 'resendAt', sentAtMs)
-- Each limit's window that the send counted on is still the one it counted on: one send less.
local s = redis.call('HGETALL', sends)
local counts = {}
for i = 1, #s, 2 do counts[s[i]] = tonumber(s[i + 1]) end
for j = 3, #ARGV do
  local i = ARGV[j]
  if (counts['r' .. i] or 0) > tonumber(sentAtMs) and (counts['c' .. i] or 0) > 0 then redis.call('HINCRBY', sends, 'c' .. i, -1) end
end
return 1
`,
});

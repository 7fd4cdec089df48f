import { defineScript } from '../../redis/redis-script.js';

/**
 * Opens a verification for a phone or resends its code, in one step with the phone's failure
 * lock, the resend cooldown and the send limits. Lua turns numbers into strings with %.14g:
 * millisecond timestamps (13 digits) stay exact.
 */
export const START_VERIFICATION = defineScript<(string | number)[]>()({
  name: 'phoneAuthOtpStart',
  keys: ['verification', 'failures', 'sends', 'ban'],
  args: ['id', 'phone', 'codeHash', 'channel', 'provider', 'nowMs', 'ttlMs', 'cooldownMs', 'maxAttempts', 'phoneMaxFailures', 'purpose', 'sid', 'context'],
  rest: ['max', 'windowMs', 'channel'],
  lua: `
-- KEYS[1] verification      the phone's verification (hash), kept for twice the code's lifetime
-- KEYS[2] failures          the phone's wrong codes across verifications (hash: count, resetAt)
-- KEYS[3] sends             the phone's send counts (hash: c<i> count, r<i> window end of limit i)
-- KEYS[4] ban               an operator's ban of the phone's user (string: its end in ms, 0 for none)
-- ARGV[1] id                the id of a new verification
-- ARGV[2] phone             E.164
-- ARGV[3] codeHash          HMAC of the new code
-- ARGV[4] channel           of this send (sms, whatsapp, voice); a resend may switch it
-- ARGV[5] provider
-- ARGV[6] nowMs             the caller's clock
-- ARGV[7] ttlMs             the code's lifetime
-- ARGV[8] cooldownMs        until a resend is allowed
-- ARGV[9] maxAttempts       a pending verification with this many attempts is replaced, not resent
-- ARGV[10] phoneMaxFailures the phone is locked at this many failures in the failure window
-- ARGV[11] purpose          login, step_up or phone_change: a resend keeps only a verification of the same purpose
-- ARGV[12] sid              the session it is bound to ('' for a login); a resend keeps only the same one
-- ARGV[13] context          what the code confirms (opaque JSON, '' for none); a resend replaces it
-- ARGV[14..] (max, windowMs, channel) one triple per send limit, in order: at most max sends per
--                          windowMs; a limit with a channel counts only that channel's sends ('' = all)
-- Replies {'created' | 'resent', field, value, ...} (the verification), or
-- {'phone_locked' | 'resend_too_soon' | 'send_limited', ms to wait}, or {'banned'} (not for phone_change).
local verification, failures, sends, ban = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, phone, codeHash, channel, provider = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now, ttl, cooldown = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local maxAttempts, phoneMaxFailures = tonumber(ARGV[9]), tonumber(ARGV[10])
local purpose, sid, context = ARGV[11], ARGV[12], ARGV[13]
local named = 13
-- A banned phone: refused before anything is written or counted. Not for a phone change: its
-- send must not tell whether the number is another (banned) account's; the claim refuses it.
if purpose ~= 'phone_change' then
  local banned = redis.call('GET', ban)
  if banned and (banned == '0' or tonumber(banned) > now) then return {'banned'} end
end
local f = redis.call('HMGET', failures, 'count', 'resetAt')
if f[1] and tonumber(f[2]) > now and tonumber(f[1]) >= phoneMaxFailures then
  return {'phone_locked', tonumber(f[2]) - now}
end
local cur = redis.call('HMGET', verification, 'status', 'expiresAt', 'resendAt', 'attempts', 'purpose', 'sid')
if cur[1] and cur[1] ~= 'approved' and tonumber(cur[3]) > now then
  return {'resend_too_soon', tonumber(cur[3]) - now}
end
local limits = (#ARGV - named) / 3
local function applies(i)
  local only = ARGV[named + 3 * i]
  return only == '' or only == channel
end
local s = redis.call('HGETALL', sends)
local counts = {}
for i = 1, #s, 2 do counts[s[i]] = tonumber(s[i + 1]) end
-- Every limit is checked before any is counted: a send refused by one limit counts on none.
for i = 1, limits do
  local reset = counts['r' .. i] or 0
  if applies(i) and reset > now and counts['c' .. i] >= tonumber(ARGV[named + 3 * i - 2]) then
    return {'send_limited', reset - now}
  end
end
local longest = 0
for i = 1, limits do
  local window = tonumber(ARGV[named + 3 * i - 1])
  if not applies(i) then
    -- not counted; the key keeps living as long as this limit's window
  elseif (counts['r' .. i] or 0) > now then
    redis.call('HINCRBY', sends, 'c' .. i, 1)
  else
    redis.call('HSET', sends, 'c' .. i, 1, 'r' .. i, now + window)
  end
  longest = math.max(longest, window)
end
if limits > 0 then redis.call('PEXPIRE', sends, longest) end
local expiresAt = now + ttl
local resendAt = now + cooldown
local outcome = 'created'
-- Verifications stored before purposes existed were logins.
local sameScope = (cur[5] or 'login') == purpose and (cur[6] or '') == sid
if cur[1] == 'pending' and tonumber(cur[2]) > now and tonumber(cur[4]) < maxAttempts and sameScope then
  outcome = 'resent'
  redis.call('HSET', verification, 'codeHash', codeHash, 'channel', channel, 'provider', provider, 'providerRef', '',
    'expiresAt', expiresAt, 'resendAt', resendAt, 'context', context)
  redis.call('HINCRBY', verification, 'sends', 1)
else
  redis.call('DEL', verification)
  redis.call('HSET', verification, 'id', id, 'phone', phone, 'status', 'pending', 'codeHash', codeHash,
    'attempts', 0, 'sends', 1, 'channel', channel, 'provider', provider, 'providerRef', '',
    'createdAt', now, 'expiresAt', expiresAt, 'resendAt', resendAt, 'purpose', purpose, 'sid', sid, 'context', context)
end
redis.call('PEXPIRE', verification, 2 * ttl)
local record = redis.call('HGETALL', verification)
table.insert(record, 1, outcome)
return record
`,
});

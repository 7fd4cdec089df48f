import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS } from '../../events/event-script.js';

/**
 * Checks a code: check, count and consume in one atomic step. The digest comparison is not
 * constant-time; it compares HMACs under a server secret, so its timing tells nothing about the code.
 */
export const CHECK_CODE = defineScript<(string | number)[]>()({
  name: 'phoneAuthOtpCheck',
  keys: ['verification', 'failures', 'ban', 'events'],
  args: ['id', 'codeHash', 'nowMs', 'maxAttempts', 'phoneMaxFailures', 'failureWindowMs', 'purpose', 'sid', ...EVENT_ARGS],
  lua: `
-- KEYS[1] verification     the phone's verification (hash)
-- KEYS[2] failures         the phone's wrong codes across verifications (hash: count, resetAt)
-- KEYS[3] ban              an operator's ban of the phone's user (string: its end in ms, 0 for none)
-- ARGV[1] id               the verification id, or '' for the phone's current verification
-- ARGV[2] codeHash         HMAC of the presented code
-- ARGV[3] nowMs            the caller's clock
-- ARGV[4] maxAttempts      per verification
-- ARGV[5] phoneMaxFailures per phone, in the failure window
-- ARGV[6] failureWindowMs  the window a first failure opens
-- ARGV[7] purpose          the purpose the code is presented for: another purpose's verification is not found
-- ARGV[8] sid              the session presenting it ('' for a login): another session's verification is not found
-- Replies {'approved' | 'reserved', field, value, ...} (the verification; reserved: the provider
-- owns the code and this attempt is counted until it settles), {'wrong_code', attempts, phone},
-- {'max_attempts' | 'phone_locked', ms to wait}, {'not_found'}, {'expired'} or {'banned'} (only
-- once a pending verification matched, and never for phone_change: a caller with nothing pending
-- learns nothing of a ban). Records verification.approved on approval, verification.failed on the
-- wrong code that uses up the last attempt (once: the failedEvent field marks it).
-- KEYS[4] events the shard's event stream (the script's event goes there, with its change)
-- ARGV[9] eventId the event's id (a further event of this step: <id>.<n>)
-- ARGV[10] eventTimeMs when it happened (the caller's clock)
-- ARGV[11] eventData its payload as a JSON object; fields read here are added to it
-- ARGV[12] eventStreamMaxLength the stream's approximate cap (XADD MAXLEN ~)
local function recordEvent(eventType, extra, nth)
  local data = ARGV[11]
  if extra then
    -- Spliced, not decoded: the caller's JSON (and its numbers) stays byte for byte.
    local more = cjson.encode(extra)
    if more ~= '{}' then
      if data == '{}' then data = more else data = string.sub(data, 1, -2) .. ',' .. string.sub(more, 2) end
    end
  end
  local id = ARGV[9]
  if nth and nth > 1 then id = id .. '.' .. nth end
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[12], '*', 'id', id, 'type', eventType, 'time', ARGV[10], 'data', data)
end
local verification, failures, ban = KEYS[1], KEYS[2], KEYS[3]
local id, codeHash, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local maxAttempts, phoneMaxFailures, failureWindowMs = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local purpose, sid = ARGV[7], ARGV[8]
local v = redis.call('HMGET', verification, 'id', 'status', 'codeHash', 'attempts', 'expiresAt', 'resendAt', 'phone', 'purpose', 'sid', 'channel')
if not v[1] or (id ~= '' and v[1] ~= id) or v[2] ~= 'pending' then return {'not_found'} end
-- A code works only for what it was sent for, and in the session that asked (no attempt counted).
if (v[8] or 'login') ~= purpose or (v[9] or '') ~= sid then return {'not_found'} end
-- Not for a phone change (see start-verification): its claim answers phone_in_use instead.
if purpose ~= 'phone_change' then
  local banned = redis.call('GET', ban)
  if banned and (banned == '0' or tonumber(banned) > now) then return {'banned'} end
end
if tonumber(v[4]) >= maxAttempts then return {'max_attempts', math.max(0, tonumber(v[6]) - now)} end
local f = redis.call('HMGET', failures, 'count', 'resetAt')
local failed = 0
if f[1] and tonumber(f[2]) > now then failed = tonumber(f[1]) end
if failed >= phoneMaxFailures then return {'phone_locked', tonumber(f[2]) - now} end
if now >= tonumber(v[5]) then return {'expired'} end
if v[3] == '' then
  redis.call('HINCRBY', verification, 'attempts', 1)
  local record = redis.call('HGETALL', verification)
  table.insert(record, 1, 'reserved')
  return record
end
if v[3] == codeHash then
  -- Approve: the phone's failure count is cleared and the record returned.
  redis.call('HSET', verification, 'status', 'approved')
  redis.call('DEL', failures)
  recordEvent('verification.approved', {verificationId = v[1], phone = v[7], channel = v[10] or 'sms', purpose = v[8] or 'login'})
  local record = redis.call('HGETALL', verification)
  table.insert(record, 1, 'approved')
  return record
end
local attempts = redis.call('HINCRBY', verification, 'attempts', 1)
-- Count a failure for the phone; a new window starts at the first failure after the last one ended.
if failed == 0 then
  redis.call('HSET', failures, 'count', 1, 'resetAt', now + tonumber(failureWindowMs))
  redis.call('PEXPIRE', failures, failureWindowMs)
else
  redis.call('HINCRBY', failures, 'count', 1)
end
if attempts >= maxAttempts and redis.call('HSETNX', verification, 'failedEvent', 1) == 1 then
  recordEvent('verification.failed', {verificationId = v[1], phone = v[7], attempts = attempts})
end
return {'wrong_code', attempts, v[7]}
`,
});

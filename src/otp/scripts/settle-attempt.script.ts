import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS } from '../../events/event-script.js';

/**
 * The provider's verdict on an attempt that check-code reserved. Records `verification.approved`
 * on approval, `verification.failed` once a rejection leaves no attempt (once: `failedEvent`).
 */
export const SETTLE_ATTEMPT = defineScript<(string | number)[]>()({
  name: 'phoneAuthOtpSettle',
  keys: ['verification', 'failures', 'events'],
  args: ['id', 'verdict', 'nowMs', 'failureWindowMs', 'maxAttempts', ...EVENT_ARGS],
  lua: `
-- KEYS[1] verification    the phone's verification (hash)
-- KEYS[2] failures        the phone's wrong codes across verifications (hash: count, resetAt)
-- ARGV[1] id              the verification id
-- ARGV[2] verdict         'approved', 'rejected' (a wrong code) or 'refund' (no verdict: the attempt is given back)
-- ARGV[3] nowMs           the caller's clock
-- ARGV[4] failureWindowMs the window a first failure opens
-- ARGV[5] maxAttempts     per verification: a rejection at this many attempts fails it
-- Replies {'approved', field, value, ...} (the verification), {'wrong_code', attempts, phone},
-- {'refunded'} or {'not_found'}.
-- KEYS[3] events the shard's event stream (the script's event goes there, with its change)
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
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[9], '*', 'id', id, 'type', eventType, 'time', ARGV[7], 'data', data)
end
local verification, failures = KEYS[1], KEYS[2]
local id, verdict, now, failureWindowMs, maxAttempts = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local v = redis.call('HMGET', verification, 'id', 'status', 'attempts', 'phone', 'channel', 'purpose')
if v[1] ~= id then return {'not_found'} end
if verdict == 'approved' then
  if v[2] ~= 'pending' then return {'not_found'} end
  -- Approve: the phone's failure count is cleared and the record returned.
  redis.call('HSET', verification, 'status', 'approved')
  redis.call('DEL', failures)
  recordEvent('verification.approved', {verificationId = v[1], phone = v[4], channel = v[5] or 'sms', purpose = v[6] or 'login'})
  local record = redis.call('HGETALL', verification)
  table.insert(record, 1, 'approved')
  return record
end
if verdict == 'refund' then
  if tonumber(v[3]) > 0 then redis.call('HINCRBY', verification, 'attempts', -1) end
  return {'refunded'}
end
local f = redis.call('HMGET', failures, 'count', 'resetAt')
local failed = 0
if f[1] and tonumber(f[2]) > now then failed = tonumber(f[1]) end
-- Count a failure for the phone; a new window starts at the first failure after the last one ended.
if failed == 0 then
  redis.call('HSET', failures, 'count', 1, 'resetAt', now + tonumber(failureWindowMs))
  redis.call('PEXPIRE', failures, failureWindowMs)
else
  redis.call('HINCRBY', failures, 'count', 1)
end
if tonumber(v[3]) >= maxAttempts and redis.call('HSETNX', verification, 'failedEvent', 1) == 1 then
  recordEvent('verification.failed', {verificationId = v[1], phone = v[4], attempts = tonumber(v[3])})
end
return {'wrong_code', tonumber(v[3]), v[4]}
`,
});

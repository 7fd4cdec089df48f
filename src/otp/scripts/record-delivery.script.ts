import { defineScript } from '../../redis/redis-script.js';

/**
 * Records a provider's delivery receipt on the verification it is about; a failure records
 * `verification.delivery_failed` in the same step and may claim the one automatic resend.
 */
export const RECORD_DELIVERY = defineScript<(string | number)[]>()({
  name: 'phoneAuthOtpRecordDelivery',
  keys: ['verification', 'events'],
  args: ['id', 'provider', 'providerRef', 'status', 'nowMs', 'maxAttempts', 'resendCodeHash', 'eventType', 'eventId', 'eventTimeMs', 'eventData', 'eventStreamMaxLength'],
  lua: `
-- KEYS[1] verification         the phone's verification (hash)
-- KEYS[2] events               the event stream of the phone's shard
-- ARGV[1] id                   the verification id (from the delivery index)
-- ARGV[2] provider             the provider whose receipt it is
-- ARGV[3] providerRef          the provider's message id the receipt names
-- ARGV[4] status               delivered, failed or unknown
-- ARGV[5] nowMs                the caller's clock
-- ARGV[6] maxAttempts          wrong codes that close a verification
-- ARGV[7] resendCodeHash       for a failure: the digest of the code the automatic resend will carry
-- ARGV[8] eventType            verification.delivery_failed
-- ARGV[9] eventId              the event's id, fixed before the script runs
-- ARGV[10] eventTimeMs         the event's time
-- ARGV[11] eventData           the event's payload (JSON)
-- ARGV[12] eventStreamMaxLength the stream's approximate cap
-- Replies {'stale'} (not the verification's latest send), {'duplicate'} (that send already has
-- a final receipt), {'recorded'}, or {'resend', field, value, ...}: the verification now carries
-- the new code digest and must be sent through the next provider.
local verification, events = KEYS[1], KEYS[2]
local id, provider, providerRef, status = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local nowMs, maxAttempts, codeHash = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local v = redis.call('HMGET', verification, 'id', 'provider', 'providerRef', 'status', 'expiresAt', 'attempts', 'delivery', 'deliveryRef', 'autoResent')
-- A receipt of an earlier send (before a resend) says nothing about the code the person waits for.
if v[1] ~= id or v[2] ~= provider or v[3] ~= providerRef then return {'stale'} end
-- Receipts come out of order and are retried: a final one of this send is kept.
local final = v[8] == providerRef and (v[7] == 'delivered' or v[7] == 'failed')
if final then return {'duplicate'} end
if status == 'unknown' and v[8] == providerRef then return {'duplicate'} end
redis.call('HSET', verification, 'delivery', status, 'deliveryProvider', provider, 'deliveryAt', ARGV[5], 'deliveryRef', providerRef)
if status ~= 'failed' then return {'recorded'} end
redis.call('XADD', events, 'MAXLEN', '~', ARGV[12], '*', 'id', ARGV[9], 'type', ARGV[8], 'time', ARGV[10], 'data', ARGV[11])
local open = v[4] == 'pending' and tonumber(v[5]) > nowMs and tonumber(v[6]) < maxAttempts
if not open or v[9] == '1' or codeHash == '' then return {'recorded'} end
redis.call('HSET', verification, 'autoResent', '1', 'codeHash', codeHash)
redis.call('HINCRBY', verification, 'sends', 1)
local reply = redis.call('HGETALL', verification)
table.insert(reply, 1, 'resend')
return reply
`,
});

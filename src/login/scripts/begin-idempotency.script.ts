import { defineScript } from '../../redis/redis-script.js';

/** Starts an idempotency key, or tells how an earlier request with it stands. */
export const BEGIN_IDEMPOTENCY = defineScript<string[]>()({
  name: 'phoneAuthIdempotencyBegin',
  keys: ['idempotency'],
  args: ['fingerprint', 'pendingTtlMs'],
  lua: `
-- KEYS[1] idempotency  the key's hash (fingerprint, response once completed)
-- ARGV[1] fingerprint  digest of the request
-- ARGV[2] pendingTtlMs how long a started key blocks retries if its request never completes
-- Replies {'started'}, {'in_flight'}, {'conflict'} or {'completed', response}.
local idempotency = KEYS[1]
local fingerprint, pendingTtlMs = ARGV[1], ARGV[2]
local v = redis.call('HMGET', idempotency, 'fingerprint', 'response')
if not v[1] then
  redis.call('HSET', idempotency, 'fingerprint', fingerprint)
  redis.call('PEXPIRE', idempotency, pendingTtlMs)
  return {'started'}
end
if v[1] ~= fingerprint then return {'conflict'} end
if not v[2] then return {'in_flight'} end
return {'completed', v[2]}
`,
});

import { defineScript } from '../../redis/redis-script.js';

/** Records which provider took a send, on the verification that send opened if it is still pending. */
export const RECORD_DISPATCH = defineScript<number>()({
  name: 'phoneAuthOtpRecordDispatch',
  keys: ['verification'],
  args: ['id', 'provider', 'providerRef', 'providerOwnsCode'],
  lua: `
-- KEYS[1] verification     the phone's verification (hash)
-- ARGV[1] id               the verification id
-- ARGV[2] provider         the provider's name
-- ARGV[3] providerRef      the provider's id of the message or verification
-- ARGV[4] providerOwnsCode '1' when the provider checks the code itself (our code hash is dropped)
-- Replies 1 when recorded, 0 when the verification is gone or no longer pending.
local verification = KEYS[1]
local id, provider, providerRef, providerOwnsCode = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local v = redis.call('HMGET', verification, 'id', 'status')
if v[1] ~= id or v[2] ~= 'pending' then return 0 end
redis.call('HSET', verification, 'provider', provider, 'providerRef', providerRef)
if providerOwnsCode == '1' then redis.call('HSET', verification, 'codeHash', '') end
return 1
`,
});

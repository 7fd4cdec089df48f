import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS, eventLua } from '../../events/event-script.js';

/**
 * Records which provider took a send, on the verification that send opened if it is still pending,
 * and records `verification.sent` with it.
 */
export const RECORD_DISPATCH = defineScript<number>()({
  name: 'phoneAuthOtpRecordDispatch',
  keys: ['verification', 'events'],
  args: ['id', 'channel', 'provider', 'providerRef', 'providerOwnsCode', ...EVENT_ARGS],
  lua: `
-- KEYS[1] verification     the phone's verification (hash)
-- ARGV[1] id               the verification id
-- ARGV[2] channel          the channel that carried it (another than the start's after a fall-through)
-- ARGV[3] provider         the provider's name
-- ARGV[4] providerRef      the provider's id of the message or verification
-- ARGV[5] providerOwnsCode '1' when the provider checks the code itself (our code hash is dropped)
-- Replies 1 when recorded, 0 when the verification is gone or no longer pending.
${eventLua(2, 6)}
local verification = KEYS[1]
local id, channel, provider, providerRef, providerOwnsCode = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local v = redis.call('HMGET', verification, 'id', 'status', 'phone')
if v[1] ~= id or v[2] ~= 'pending' then return 0 end
redis.call('HSET', verification, 'channel', channel, 'provider', provider, 'providerRef', providerRef)
if providerOwnsCode == '1' then redis.call('HSET', verification, 'codeHash', '') end
recordEvent('verification.sent', {phone = v[3]})
return 1
`,
});

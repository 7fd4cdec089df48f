import { defineScript } from '../../redis/redis-script.js';

/** Puts a message at the head of a phone's outbox, keeps the newest few and renews its lifetime, in one command. */
export const APPEND_OUTBOX = defineScript<null>()({
  name: 'phoneAuthOutboxAppend',
  keys: ['outbox'],
  args: ['message', 'keep', 'ttlSeconds'],
  lua: `
-- KEYS[1] outbox     a phone's messages, newest first (list)
-- ARGV[1] message    the message (JSON)
-- ARGV[2] keep       how many messages are kept
-- ARGV[3] ttlSeconds how long the outbox lives after its last message
local outbox = KEYS[1]
local message, keep, ttlSeconds = ARGV[1], tonumber(ARGV[2]), ARGV[3]
redis.call('LPUSH', outbox, message)
redis.call('LTRIM', outbox, 0, keep - 1)
redis.call('EXPIRE', outbox, ttlSeconds)
`,
});

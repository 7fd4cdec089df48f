import { defineScript } from '../../redis/redis-script.js';

/** Replaces a user's record by a tombstone (its id and the erasure time only), with a lifetime. */
export const ERASE_USER = defineScript<string[]>()({
  name: 'phoneAuthUserErase',
  keys: ['user'],
  args: ['nowMs', 'tombstoneSeconds'],
  lua: `
-- KEYS[1] user             the user's record (hash)
-- ARGV[1] nowMs            the caller's clock
-- ARGV[2] tombstoneSeconds how long the tombstone stays
-- Replies the record as field, value, ... before the erasure; empty for no such user.
local user = KEYS[1]
local now, tombstoneSeconds = ARGV[1], ARGV[2]
local record = redis.call('HGETALL', user)
local r = redis.call('HMGET', user, 'id', 'erasedAtMs')
if not r[1] or r[2] then return {} end
redis.call('DEL', user)
redis.call('HSET', user, 'id', r[1], 'erasedAtMs', now)
redis.call('EXPIRE', user, tombstoneSeconds)
return record
`,
});

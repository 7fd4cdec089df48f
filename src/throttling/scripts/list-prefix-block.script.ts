import { defineScript } from '../../redis/redis-script.js';

/** Adds or replaces a block in the list of blocks, and drops the ended ones. */
export const LIST_PREFIX_BLOCK = defineScript<number>()({
  name: 'phoneAuthFraudListBlock',
  keys: ['index', 'details'],
  args: ['prefix', 'untilMs', 'nowMs', 'block'],
  lua: `
-- KEYS[1] index    sorted set of blocked prefixes, scored by the block's end (ms)
-- KEYS[2] details  hash: prefix -> the block as JSON
-- ARGV[1] prefix   the blocked prefix
-- ARGV[2] untilMs  the block's end
-- ARGV[3] nowMs    the caller's clock
-- ARGV[4] block    the block as JSON
-- Replies the number of listed blocks.
local index, details = KEYS[1], KEYS[2]
local ended = redis.call('ZRANGEBYSCORE', index, '-inf', ARGV[3])
for _, prefix in ipairs(ended) do redis.call('HDEL', details, prefix) end
redis.call('ZREMRANGEBYSCORE', index, '-inf', ARGV[3])
redis.call('ZADD', index, ARGV[2], ARGV[1])
redis.call('HSET', details, ARGV[1], ARGV[4])
return redis.call('ZCARD', index)
`,
});

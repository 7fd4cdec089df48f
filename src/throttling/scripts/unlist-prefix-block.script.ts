import { defineScript } from '../../redis/redis-script.js';

/** Removes a prefix from the list of blocks. */
export const UNLIST_PREFIX_BLOCK = defineScript<number>()({
  name: 'phoneAuthFraudUnlistBlock',
  keys: ['index', 'details'],
  args: ['prefix'],
  lua: `
-- KEYS[1] index    sorted set of blocked prefixes, scored by the block's end (ms)
-- KEYS[2] details  hash: prefix -> the block as JSON
-- ARGV[1] prefix   the prefix to remove
-- Replies 1 when it was listed.
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('ZREM', KEYS[1], ARGV[1])
`,
});

import { defineScript } from '../../redis/redis-script.js';

/** The listed blocks still in force; drops the ended ones. */
export const LISTED_PREFIX_BLOCKS = defineScript<string[]>()({
  name: 'phoneAuthFraudListedBlocks',
  keys: ['index', 'details'],
  args: ['nowMs'],
  lua: `
-- KEYS[1] index    sorted set of blocked prefixes, scored by the block's end (ms)
-- KEYS[2] details  hash: prefix -> the block as JSON
-- ARGV[1] nowMs    the caller's clock
-- Replies the JSON of each live block, soonest end first.
local index, details = KEYS[1], KEYS[2]
local ended = redis.call('ZRANGEBYSCORE', index, '-inf', ARGV[1])
for _, prefix in ipairs(ended) do redis.call('HDEL', details, prefix) end
redis.call('ZREMRANGEBYSCORE', index, '-inf', ARGV[1])
local live = redis.call('ZRANGE', index, 0, -1)
if #live == 0 then return {} end
return redis.call('HMGET', details, unpack(live))
`,
});

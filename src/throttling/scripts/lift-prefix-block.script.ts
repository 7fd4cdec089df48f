import { defineScript } from '../../redis/redis-script.js';

/** Ends a prefix's block and forgets its counters, so that it does not trip again at once. */
export const LIFT_PREFIX_BLOCK = defineScript<number>()({
  name: 'phoneAuthFraudLiftBlock',
  keys: ['prefix'],
  args: ['nowMs'],
  lua: `
-- KEYS[1] prefix  the prefix's hash (see record-prefix-event)
-- ARGV[1] nowMs   the caller's clock
-- Replies 1 when the prefix was blocked (its key is gone), 0 otherwise (left as it was).
local blockedUntil = tonumber(redis.call('HGET', KEYS[1], 'blockedUntil') or '0')
if blockedUntil <= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
return 1
`,
});

import { defineScript } from '../../redis/redis-script.js';

/** Takes a dead letter back onto the retry schedule; only one of two concurrent replays does. */
export const REPLAY_DEAD_LETTER = defineScript<number>()({
  name: 'phoneAuthEventReplay',
  keys: ['deadLetters', 'retries', 'details'],
  args: ['entryId', 'member', 'dueMs', 'detail'],
  lua: `
-- KEYS[1] deadLetters the shard's dead letters (stream)
-- KEYS[2] retries     the shard's retry schedule (sorted set by due time)
-- KEYS[3] details     each retry's event and attempts (hash by member, JSON)
-- ARGV[1] entryId     the dead letter
-- ARGV[2] member      subscriber and event
-- ARGV[3] dueMs       when to try again
-- ARGV[4] detail      the retry's JSON (attempts from 0, a new window)
-- Replies 1, or 0 when the dead letter is gone (replayed already).
if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
return 1
`,
});

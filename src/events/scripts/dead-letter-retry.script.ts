import { defineScript } from '../../redis/redis-script.js';

/** Moves a retry past its window to the shard's dead letters: off the schedule and into the stream at once. */
export const DEAD_LETTER_RETRY = defineScript<string>()({
  name: 'phoneAuthEventDeadLetter',
  keys: ['retries', 'details', 'deadLetters'],
  args: ['member', 'maxLength', 'subscriber', 'eventId', 'type', 'time', 'data', 'attempts', 'deadlineMs', 'status', 'error', 'failedAtMs'],
  lua: `
-- KEYS[1] retries     the shard's retry schedule (sorted set by due time)
-- KEYS[2] details     each retry's event and attempts (hash by member, JSON)
-- KEYS[3] deadLetters the shard's dead letters (stream)
-- ARGV[1] member      subscriber and event
-- ARGV[2] maxLength   the dead-letter stream's approximate cap
-- ARGV[3] subscriber  the subscriber's id
-- ARGV[4] eventId     the event
-- ARGV[5] type
-- ARGV[6] time        the event's time (ms)
-- ARGV[7] data        its payload (JSON)
-- ARGV[8] attempts    failed attempts
-- ARGV[9] deadlineMs  the end of its retry window
-- ARGV[10] status     the last HTTP status, 0 for none
-- ARGV[11] error      the last error
-- ARGV[12] failedAtMs when it was given up
-- Replies the dead letter's entry id.
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], '*',
  'subscriber', ARGV[3], 'id', ARGV[4], 'type', ARGV[5], 'time', ARGV[6], 'data', ARGV[7],
  'attempts', ARGV[8], 'deadline', ARGV[9], 'status', ARGV[10], 'error', ARGV[11], 'failedAt', ARGV[12])
`,
});

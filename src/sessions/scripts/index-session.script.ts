import { defineScript } from '../../redis/redis-script.js';

/** Adds a session to its user's index and renews the index's lifetime, in one command. */
export const INDEX_SESSION = defineScript<null>()({
  name: 'phoneAuthSessionIndex',
  keys: ['userSessions'],
  args: ['sessionId', 'ttlSeconds'],
  lua: `
-- KEYS[1] userSessions the ids of a user's sessions (set)
-- ARGV[1] sessionId
-- ARGV[2] ttlSeconds   the index lives as long as the longest possible session
local userSessions = KEYS[1]
local sessionId, ttlSeconds = ARGV[1], ARGV[2]
redis.call('SADD', userSessions, sessionId)
redis.call('EXPIRE', userSessions, ttlSeconds)
`,
});

import { defineScript } from '../../redis/redis-script.js';

/** Writes a session's hash and its lifetime in one command. */
export const CREATE_SESSION = defineScript<null>()({
  name: 'phoneAuthSessionCreate',
  keys: ['session'],
  args: ['lifetimeMs'],
  rest: ['field', 'value'],
  lua: `
-- KEYS[1] session            the session (hash)
-- ARGV[1] lifetimeMs         until the earlier of its idle and absolute expiry
-- ARGV[2..] (field, value)   the session's fields
local session, lifetimeMs = KEYS[1], ARGV[1]
redis.call('HSET', session, unpack(ARGV, 2))
redis.call('PEXPIRE', session, lifetimeMs)
`,
});

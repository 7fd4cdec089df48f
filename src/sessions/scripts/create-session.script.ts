import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS, eventLua } from '../../events/event-script.js';

/** Writes a session's hash and its lifetime in one command, and records `session.created`. */
export const CREATE_SESSION = defineScript<null>()({
  name: 'phoneAuthSessionCreate',
  keys: ['session', 'events'],
  args: ['lifetimeMs', ...EVENT_ARGS],
  rest: ['field', 'value'],
  lua: `
-- KEYS[1] session            the session (hash)
-- ARGV[1] lifetimeMs         until the earlier of its idle and absolute expiry
-- ARGV[6..] (field, value)   the session's fields
${eventLua(2, 2)}
local session, lifetimeMs = KEYS[1], ARGV[1]
redis.call('HSET', session, unpack(ARGV, 6))
redis.call('PEXPIRE', session, lifetimeMs)
recordEvent('session.created')
`,
});

import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS, eventLua } from '../../events/event-script.js';

/**
 * Deletes a session and returns what it held (empty when there was none); a live one's end is
 * recorded as `session.revoked` (the draft names the reason; its user is read here).
 */
export const REVOKE_SESSION = defineScript<string[]>()({
  name: 'phoneAuthSessionRevoke',
  keys: ['session', 'events'],
  args: ['nowMs', ...EVENT_ARGS],
  lua: `
-- KEYS[1] session the session (hash)
-- ARGV[1] nowMs   the caller's clock: a session past its expiry ends unrecorded
-- Replies the session as field, value, ... before it was deleted.
${eventLua(2, 2)}
local session = KEYS[1]
local record = redis.call('HGETALL', session)
local s = redis.call('HMGET', session, 'userId', 'expiresAtMs', 'idleExpiresAtMs')
local now = tonumber(ARGV[1])
redis.call('DEL', session)
if s[1] and now < tonumber(s[2]) and now < tonumber(s[3]) then recordEvent('session.revoked', {userId = s[1]}) end
return record
`,
});

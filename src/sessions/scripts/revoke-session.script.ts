import { defineScript } from '../../redis/redis-script.js';

/** Deletes a session and returns what it held (empty when there was none). */
export const REVOKE_SESSION = defineScript<string[]>()({
  name: 'phoneAuthSessionRevoke',
  keys: ['session'],
  args: [],
  lua: `
-- KEYS[1] session the session (hash)
-- Replies the session as field, value, ... before it was deleted.
local session = KEYS[1]
local record = redis.call('HGETALL', session)
redis.call('DEL', session)
return record
`,
});

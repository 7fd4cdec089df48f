import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS, eventLua } from '../../events/event-script.js';

/** The phone's user id, indexing `newId` (and recording `user.created`) when the phone has none yet. */
export const FIND_OR_CREATE_USER = defineScript<string | null>()({
  name: 'phoneAuthUserFindOrCreate',
  keys: ['phoneIndex', 'events'],
  args: ['newId', ...EVENT_ARGS],
  lua: `
-- KEYS[1] phoneIndex the phone's user id (string)
-- ARGV[1] newId      the id the phone's first user gets
-- Replies the existing id, or false when newId was indexed (first writer wins).
${eventLua(2, 2)}
local existing = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'GET')
if not existing then recordEvent('user.created') end
return existing
`,
});

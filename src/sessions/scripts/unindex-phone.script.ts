import { defineScript } from '../../redis/redis-script.js';

/** Removes a phone's index entry only if it still names the user (compare and delete). */
export const UNINDEX_PHONE = defineScript<number>()({
  name: 'phoneAuthUserUnindexPhone',
  keys: ['phoneIndex'],
  args: ['userId'],
  lua: `
-- KEYS[1] phoneIndex the phone's user id (string)
-- ARGV[1] userId
-- Replies 1 if removed, 0 if it named another user or none.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
});

import { defineScript } from '../../redis/redis-script.js';

/** Sets the phone of an existing session (after its user changed number); a session gone is left gone. */
export const SET_SESSION_PHONE = defineScript<number>()({
  name: 'phoneAuthSessionSetPhone',
  keys: ['session'],
  args: ['phone'],
  lua: `
-- KEYS[1] session  the session (hash)
-- ARGV[1] phone    E.164
-- Replies 1 if the session exists (and now names the phone), 0 if not.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'phone', ARGV[1])
return 1
`,
});

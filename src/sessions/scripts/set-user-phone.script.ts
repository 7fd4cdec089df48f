import { defineScript } from '../../redis/redis-script.js';

/**
 * A user's phone: `adopt` gives a user whose phone index predates user records a record (the
 * phone alone; an existing record is left as it is); `change` sets the phone of an existing one.
 * An erased user is left alone, and a user with a ban in force is not moved.
 */
export const SET_USER_PHONE = defineScript<string[]>()({
  name: 'phoneAuthUserSetPhone',
  keys: ['user'],
  args: ['userId', 'phone', 'mode', 'nowMs'],
  lua: `
-- KEYS[1] user    the user's record (hash)
-- ARGV[1] userId
-- ARGV[2] phone   E.164
-- ARGV[3] mode    'adopt' or 'change'
-- ARGV[4] nowMs   the caller's clock: a change refuses a user with a ban in force
-- Replies the record as field, value, ... (adopt: after; change: before the change); empty for
-- no such user (change), an erased one, or (change) a banned one: a ban set while the change was
-- under way put its marker on the number the record names, so the user stays on it.
local user = KEYS[1]
local userId, phone, mode, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local r = redis.call('HMGET', user, 'id', 'erasedAtMs', 'banSinceMs', 'banUntilMs')
if r[2] then return {} end
if mode == 'adopt' then
  if not r[1] then redis.call('HSET', user, 'id', userId, 'phone', phone) end
  return redis.call('HGETALL', user)
end
if not r[1] then return {} end
if r[3] and (tonumber(r[4]) == 0 or tonumber(r[4]) > now) then return {} end
local before = redis.call('HGETALL', user)
redis.call('HSET', user, 'phone', phone)
return before
`,
});

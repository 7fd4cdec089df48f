import { defineScript } from '../../redis/redis-script.js';

/** Sets or removes a user's ban, on a record that exists and is not erased. */
export const BAN_USER = defineScript<string[]>()({
  name: 'phoneAuthUserBan',
  keys: ['user'],
  args: ['sinceMs', 'untilMs', 'reason'],
  lua: `
-- KEYS[1] user    the user's record (hash)
-- ARGV[1] sinceMs the ban's start, or '' to remove the ban
-- ARGV[2] untilMs its end, 0 for none (until lifted)
-- ARGV[3] reason
-- Replies the record as field, value, ... after the change; empty for no such user.
local user = KEYS[1]
local sinceMs, untilMs, reason = ARGV[1], ARGV[2], ARGV[3]
local r = redis.call('HMGET', user, 'id', 'erasedAtMs')
if not r[1] or r[2] then return {} end
if sinceMs == '' then
  redis.call('HDEL', user, 'banSinceMs', 'banUntilMs', 'banReason')
else
  redis.call('HSET', user, 'banSinceMs', sinceMs, 'banUntilMs', untilMs, 'banReason', reason)
end
return redis.call('HGETALL', user)
`,
});

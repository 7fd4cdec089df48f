import { defineScript } from '../../redis/redis-script.js';

/**
 * Creates a user's record at the first login and stamps the last one, unless the user is banned or
 * erased, or the record names another number (a stale phone index: see UserRepository.changePhone).
 */
export const RECORD_LOGIN = defineScript<string>()({
  name: 'phoneAuthUserRecordLogin',
  keys: ['user'],
  args: ['userId', 'phone', 'nowMs'],
  lua: `
-- KEYS[1] user    the user's record (hash)
-- ARGV[1] userId
-- ARGV[2] phone   E.164 of the login: written when the record is created, else compared with the record's
-- ARGV[3] nowMs   the caller's clock
-- Replies 'recorded', 'banned' (a ban in force: nothing written), 'erased' (a tombstone) or
-- 'moved' (the record names another number: the index that led here is stale; nothing written).
local user = KEYS[1]
local userId, phone, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local r = redis.call('HMGET', user, 'erasedAtMs', 'banSinceMs', 'banUntilMs', 'phone')
if r[1] then return 'erased' end
if r[2] and (tonumber(r[3]) == 0 or tonumber(r[3]) > now) then return 'banned' end
if r[4] and r[4] ~= phone then return 'moved' end
if redis.call('HSETNX', user, 'id', userId) == 1 then
  redis.call('HSET', user, 'phone', phone, 'createdAtMs', now)
end
redis.call('HSET', user, 'lastLoginAtMs', now)
return 'recorded'
`,
});

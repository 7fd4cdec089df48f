import { defineScript } from '../../redis/redis-script.js';
import { EVENT_ARGS } from '../../events/event-script.js';

/**
 * Rotates a session's refresh token by compare-and-swap. The caller has checked the presented
 * token's MAC, so its generation is one issued for this session: below the current one it is a
 * spent token, and the whole session ends. Expiry follows the caller's clock; the key's lifetime
 * is relative (PEXPIRE). A reuse records `session.refresh_reused` and `session.revoked` (reason reuse).
 */
export const ROTATE_REFRESH_TOKEN = defineScript<string[]>()({
  name: 'phoneAuthSessionRotate',
  keys: ['session', 'events'],
  args: ['generation', 'presentedHash', 'newHash', 'nowMs', 'idleTtlMs', 'reuseGraceMs', ...EVENT_ARGS],
  lua: `
-- KEYS[1] session       the session (hash; its only key, so memory does not grow with rotations)
-- ARGV[1] generation    the presented token's generation
-- ARGV[2] presentedHash hash of the presented token
-- ARGV[3] newHash       hash of the token that replaces it
-- ARGV[4] nowMs         the caller's clock
-- ARGV[5] idleTtlMs     idle lifetime from now (capped by the absolute expiry)
-- ARGV[6] reuseGraceMs  the previous token, presented this soon after a rotation, is a race, not a reuse
-- Replies {'rotated', field, value, ...} (the session), {'just_rotated'}, {'reused', userId} or {'invalid'}.
-- KEYS[2] events the shard's event stream (the script's event goes there, with its change)
-- ARGV[7] eventId the event's id (a further event of this step: <id>.<n>)
-- ARGV[8] eventTimeMs when it happened (the caller's clock)
-- ARGV[9] eventData its payload as a JSON object; fields read here are added to it
-- ARGV[10] eventStreamMaxLength the stream's approximate cap (XADD MAXLEN ~)
local function recordEvent(eventType, extra, nth)
  local data = ARGV[9]
  if extra then
    -- Spliced, not decoded: the caller's JSON (and its numbers) stays byte for byte.
    local more = cjson.encode(extra)
    if more ~= '{}' then
      if data == '{}' then data = more else data = string.sub(data, 1, -2) .. ',' .. string.sub(more, 2) end
    end
  end
  local id = ARGV[7]
  if nth and nth > 1 then id = id .. '.' .. nth end
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[10], '*', 'id', id, 'type', eventType, 'time', ARGV[8], 'data', data)
end
local session = KEYS[1]
local generation, presentedHash, newHash = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local now, idleTtlMs, reuseGraceMs = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local s = redis.call('HMGET', session, 'refreshTokenHash', 'refreshTokenGeneration', 'rotatedAtMs',
  'expiresAtMs', 'idleExpiresAtMs', 'userId')
if not s[1] or not s[2] then return {'invalid'} end
if now >= tonumber(s[4]) or now >= tonumber(s[5]) then
  redis.call('DEL', session)
  return {'invalid'}
end
local current = tonumber(s[2])
if generation == current then
  if s[1] ~= presentedHash then return {'invalid'} end
  local idle = math.min(tonumber(s[4]), now + idleTtlMs)
  redis.call('HSET', session, 'refreshTokenHash', newHash, 'refreshTokenGeneration', current + 1,
    'rotatedAtMs', now, 'lastUsedAtMs', now, 'idleExpiresAtMs', idle)
  redis.call('PEXPIRE', session, idle - now)
  local record = redis.call('HGETALL', session)
  table.insert(record, 1, 'rotated')
  return record
end
if generation > current then return {'invalid'} end
if generation == current - 1 and now - tonumber(s[3]) < reuseGraceMs then return {'just_rotated'} end
redis.call('DEL', session)
recordEvent('session.refresh_reused', {userId = s[6]})
recordEvent('session.revoked', {userId = s[6], reason = 'reuse'}, 2)
return {'reused', s[6]}
`,
});

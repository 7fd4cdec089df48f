import { defineScript } from '../../redis/redis-script.js';

/**
 * Before a send falls through to another channel: counts that channel's own send limits (those
 * the start left out) and stretches the cooldown to that channel's, on the verification the send
 * opened if it is still pending. A limit that refuses leaves everything as it was.
 */
export const CHARGE_CHANNEL = defineScript<(string | number)[]>()({
  name: 'phoneAuthOtpChargeChannel',
  keys: ['verification', 'sends'],
  args: ['id', 'channel', 'startedAtMs', 'nowMs', 'cooldownMs'],
  rest: ['max', 'windowMs', 'channel'],
  lua: `
-- KEYS[1] verification      the phone's verification (hash)
-- KEYS[2] sends             the phone's send counts (hash: c<i> count, r<i> window end of limit i)
-- ARGV[1] id                the verification the send opened
-- ARGV[2] channel           the channel the send falls through to
-- ARGV[3] startedAtMs       when the send started: its cooldown runs from then
-- ARGV[4] nowMs             the caller's clock
-- ARGV[5] cooldownMs        that channel's cooldown
-- ARGV[6..] (max, windowMs, channel) one triple per send limit, as the start script takes them;
--                          only the limits of exactly this channel are checked and counted here
-- Replies {'charged', resendAt}, {'send_limited', ms to wait} or {'gone'}.
local verification, sends = KEYS[1], KEYS[2]
local id, channel = ARGV[1], ARGV[2]
local startedAt, now, cooldown = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local named = 5
local v = redis.call('HMGET', verification, 'id', 'status', 'resendAt')
if v[1] ~= id or v[2] ~= 'pending' then return {'gone'} end
local limits = (#ARGV - named) / 3
local s = redis.call('HGETALL', sends)
local counts = {}
for i = 1, #s, 2 do counts[s[i]] = tonumber(s[i + 1]) end
for i = 1, limits do
  local reset = counts['r' .. i] or 0
  if ARGV[named + 3 * i] == channel and reset > now and counts['c' .. i] >= tonumber(ARGV[named + 3 * i - 2]) then
    return {'send_limited', reset - now}
  end
end
local longest, counted = 0, false
for i = 1, limits do
  local window = tonumber(ARGV[named + 3 * i - 1])
  longest = math.max(longest, window)
  if ARGV[named + 3 * i] == channel then
    if (counts['r' .. i] or 0) > now then
      redis.call('HINCRBY', sends, 'c' .. i, 1)
    else
      redis.call('HSET', sends, 'c' .. i, 1, 'r' .. i, now + window)
    end
    counted = true
  end
end
-- As the start script does: the counts live as long as the longest window from their last write.
if counted then redis.call('PEXPIRE', sends, longest) end
local resendAt = math.max(tonumber(v[3]), startedAt + cooldown)
redis.call('HSET', verification, 'channel', channel, 'resendAt', resendAt)
return {'charged', resendAt}
`,
});

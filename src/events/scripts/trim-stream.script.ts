import { defineScript } from '../../redis/redis-script.js';

/**
 * Drops a shard stream's entries that the group delivered and acknowledged: everything before
 * the oldest pending entry and up to `nextAfter` (just past what this dispatcher read, which the
 * group has delivered). Together with the scripts' `MAXLEN ~` cap, it bounds the stream.
 */
export const TRIM_STREAM = defineScript<number>()({
  name: 'phoneAuthEventTrim',
  keys: ['stream'],
  args: ['group', 'nextAfter'],
  lua: `
-- KEYS[1] stream    the shard's event stream
-- ARGV[1] group     the dispatchers' consumer group
-- ARGV[2] nextAfter the id just after the newest entry this dispatcher read ("ms-seq")
-- Replies the number of entries dropped.
local pending = redis.pcall('XPENDING', KEYS[1], ARGV[1])
if type(pending) ~= 'table' or pending.err then return 0 end
local threshold = ARGV[2]
if tonumber(pending[1]) > 0 then
  local function parts(id)
    local ms, seq = string.match(id, '^(%d+)-(%d+)$')
    return tonumber(ms), tonumber(seq)
  end
  local pms, pseq = parts(pending[2])
  local tms, tseq = parts(threshold)
  if pms < tms or (pms == tms and pseq < tseq) then threshold = pending[2] end
end
return redis.call('XTRIM', KEYS[1], 'MINID', threshold)
`,
});

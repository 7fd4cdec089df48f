import type { EventDraft } from './event-log.js';
import type { EventData } from './event-types.js';

/** The ARGV names a script that records an event takes last (before any tail), as eventArgs() names them. */
export const EVENT_ARGS = ['eventId', 'eventTimeMs', 'eventData', 'eventStreamMaxLength'] as const;

/**
 * The header lines and the `recordEvent(type, extra, nth)` function of a script that records its
 * event: `events` is KEYS[keyIndex] (the shard stream of the script's entity) and the EVENT_ARGS
 * start at ARGV[argIndex]. Each such script carries this text verbatim right after its header
 * (scripts are never spliced: event-script.spec.ts checks every copy against this reference). `extra` (a Lua table, or nil) adds
 * fields read in the script to the draft's data; `nth` > 1 derives the id of a further event of
 * the same step (`<id>.<nth>`, stable across retries as the draft's own).
 */
export function eventLua(keyIndex: number, argIndex: number): string {
  const [id, time, data, maxLength] = [0, 1, 2, 3].map((offset) => `ARGV[${argIndex + offset}]`);
  return `-- KEYS[${keyIndex}] events the shard's event stream (the script's event goes there, with its change)
-- ARGV[${argIndex}] eventId the event's id (a further event of this step: <id>.<n>)
-- ARGV[${argIndex + 1}] eventTimeMs when it happened (the caller's clock)
-- ARGV[${argIndex + 2}] eventData its payload as a JSON object; fields read here are added to it
-- ARGV[${argIndex + 3}] eventStreamMaxLength the stream's approximate cap (XADD MAXLEN ~)
local function recordEvent(eventType, extra, nth)
  local data = ${data}
  if extra then
    -- Spliced, not decoded: the caller's JSON (and its numbers) stays byte for byte.
    local more = cjson.encode(extra)
    if more ~= '{}' then
      if data == '{}' then data = more else data = string.sub(data, 1, -2) .. ',' .. string.sub(more, 2) end
    end
  end
  local id = ${id}
  if nth and nth > 1 then id = id .. '.' .. nth end
  redis.call('XADD', KEYS[${keyIndex}], 'MAXLEN', '~', ${maxLength}, '*', 'id', id, 'type', eventType, 'time', ${time}, 'data', data)
end`;
}

/** The in-memory twin of recordEvent's `extra` and `nth`: the draft with fields added, or the nth event's id. */
export function draftWith(draft: EventDraft, extra: EventData = {}, nth = 1): EventDraft {
  const base = JSON.parse(draft.data) as EventData;
  return { ...draft, id: nth > 1 ? `${draft.id}.${nth}` : draft.id, data: JSON.stringify({ ...base, ...extra }) };
}

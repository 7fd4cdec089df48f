import { Clock, SystemClock } from '../../src/common/time/clock.js';
import type { EventLog } from '../../src/events/event-log.js';
import type { EventData, EventType, RecordedEvent } from '../../src/events/event-types.js';
import { InMemoryEventLog } from '../../src/events/in-memory-event-log.js';
import { RedisEventLog } from '../../src/events/redis-event-log.js';
import type { RedisClient } from '../../src/redis/redis.constants.js';
import { EVENT_SHARD_TAGS } from '../../src/redis/event-shards.js';
import type { RedisKeys } from '../../src/redis/redis-keys.js';
import { RedisScripts } from '../../src/redis/redis-scripts.js';

/** An event as a test compares it: type and payload (ids and times are random or the clock's). */
export interface SeenEvent {
  type: EventType;
  data: EventData;
}

/**
 * The events a store recorded, read back as the dispatcher would find them: XRANGE on the 16
 * shard streams (Redis, through the client's key prefix), or every append of the in-memory log.
 * `take()` returns those recorded since the previous take.
 */
export class RecordedEvents {
  private readonly seen: RecordedEvent[] = [];
  /** The ids of the events taken from the streams so far. */
  private readonly taken = new Set<string>();

  private constructor(
    readonly log: EventLog,
    private readonly redis: RedisClient | null,
    private readonly keys: RedisKeys | null,
  ) {
    if (log instanceof InMemoryEventLog) log.onAppend((event) => this.seen.push(event));
  }

  /** A log for a repository under test: on `redis` when given (with `keys`), else in memory. */
  static on(redis: RedisClient | null, keys: RedisKeys, clock: Clock = new SystemClock()): RecordedEvents {
    if (redis === null) return new RecordedEvents(new InMemoryEventLog(clock, 100_000), null, null);
    return new RecordedEvents(new RedisEventLog({ client: redis, keys, scripts: new RedisScripts(redis) }, clock, 100_000), redis, keys);
  }

  /** The service's own log (startTestApp's app), read the same way. */
  static of(log: EventLog, redis: RedisClient | null, keys: RedisKeys): RecordedEvents {
    return new RecordedEvents(log, redis, keys);
  }

  /**
   * Every event recorded since the last take, oldest first (across shards: by stream entry id).
   * Events already taken are known by their event id, not by a stream position: a test server
   * flushed between runs starts its streams again at ids below the last one read.
   */
  async take(): Promise<RecordedEvent[]> {
    if (this.redis === null || this.keys === null) return this.seen.splice(0);
    const read: { entryId: string; event: RecordedEvent }[] = [];
    for (const shard of EVENT_SHARD_TAGS) {
      for (const [entryId, fields] of await this.redis.xrange(this.keys.eventStream(shard), '-', '+')) {
        const event = fromFields(fields);
        if (this.taken.has(event.id)) continue;
        this.taken.add(event.id);
        read.push({ entryId, event });
      }
    }
    return read.sort((a, b) => compareEntryIds(a.entryId, b.entryId)).map(({ event }) => event);
  }

  /** As take(), as type and payload only. */
  async takeSeen(): Promise<SeenEvent[]> {
    return (await this.take()).map(({ type, data }) => ({ type, data }));
  }
}

function fromFields(fields: string[]): RecordedEvent {
  const entry: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) entry[fields[i]!] = fields[i + 1]!;
  return { id: entry.id!, type: entry.type as EventType, occurredAtMs: Number(entry.time), data: JSON.parse(entry.data!) as EventData };
}

function compareEntryIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(Number);
  const [bMs, bSeq] = b.split('-').map(Number);
  return aMs! - bMs! || aSeq! - bSeq!;
}

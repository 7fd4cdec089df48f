import { EVENT_SHARD_TAGS } from '../redis/event-shards.js';
import type { RedisStore } from '../redis/store-adapter.js';
import { compareEntryIds, type DeadLetter, DeliveryQueue, parseDeadLetterId, type PendingDelivery, type QueuedEvent, retryMember } from './delivery-queue.js';
import { EVENT_TYPES, type EventData, type EventType, type RecordedEvent } from './event-types.js';
import { COMPLETE_RETRY } from './scripts/complete-retry.script.js';
import { DEAD_LETTER_RETRY } from './scripts/dead-letter-retry.script.js';
import { LEASE_RETRIES } from './scripts/lease-retries.script.js';
import { REPLAY_DEAD_LETTER } from './scripts/replay-dead-letter.script.js';
import { RESCHEDULE_RETRY } from './scripts/reschedule-retry.script.js';
import { SETTLE_EVENT } from './scripts/settle-event.script.js';
import { TRIM_STREAM } from './scripts/trim-stream.script.js';

/** The one consumer group of every shard stream: all dispatchers of all instances share it. */
export const DISPATCH_GROUP = 'dispatch';

/** The dead letters kept per shard (`XADD … MAXLEN ~`). */
const DEAD_LETTERS_MAX_LENGTH = 10_000;

type StreamEntry = [id: string, fields: string[]];

/** A retry's details as stored (JSON in the details hash). */
interface StoredRetry {
  subscriberId: string;
  event: RecordedEvent;
  attempts: number;
  deadlineMs: number;
  lastError: string;
  lastStatus: number;
}

/**
 * The delivery queue on the 16 shard streams: one consumer group per stream (XREADGROUP,
 * XAUTOCLAIM), and per shard a retry schedule and a dead-letter stream in the stream's slot, so
 * each step is one command or one script on one node, also on a Cluster.
 */
export class RedisDeliveryQueue extends DeliveryQueue {
  readonly shards = EVENT_SHARD_TAGS;

  constructor(private readonly store: RedisStore) {
    super();
    store.scripts.register(SETTLE_EVENT, LEASE_RETRIES, RESCHEDULE_RETRY, COMPLETE_RETRY, DEAD_LETTER_RETRY, REPLAY_DEAD_LETTER, TRIM_STREAM);
  }

  async prepare(shard: string): Promise<void> {
    try {
      // From 0: events recorded before the first dispatcher started are delivered too.
      await this.store.client.xgroup('CREATE', this.store.keys.eventStream(shard), DISPATCH_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).startsWith('BUSYGROUP')) throw error;
    }
  }

  async read(shard: string, consumer: string, count: number): Promise<QueuedEvent[]> {
    const stream = this.store.keys.eventStream(shard);
    const read = () => this.store.client.xreadgroup('GROUP', DISPATCH_GROUP, consumer, 'COUNT', count, 'STREAMS', stream, '>') as Promise<[string, StreamEntry[]][] | null>;
    let reply;
    try {
      reply = await read();
    } catch (error) {
      // A store restarted without persistence lost the group: make it again.
      if (!String((error as Error).message).startsWith('NOGROUP')) throw error;
      await this.prepare(shard);
      reply = await read();
    }
    return (reply?.[0]?.[1] ?? []).map((entry) => toQueued(shard, entry));
  }

  async claimStale(shard: string, consumer: string, minIdleMs: number, count: number): Promise<QueuedEvent[]> {
    const stream = this.store.keys.eventStream(shard);
    const reply = (await this.store.client.xautoclaim(stream, DISPATCH_GROUP, consumer, minIdleMs, '0-0', 'COUNT', count)) as [string, (StreamEntry | null)[]];
    return reply[1].filter((entry): entry is StreamEntry => entry !== null).map((entry) => toQueued(shard, entry));
  }

  async settle(entry: QueuedEvent, retries: readonly (PendingDelivery & { dueMs: number })[]): Promise<void> {
    const keys = this.retryKeys(entry.shard);
    await this.store.scripts.run(
      SETTLE_EVENT,
      { stream: this.store.keys.eventStream(entry.shard), ...keys },
      { group: DISPATCH_GROUP, entryId: entry.entryId },
      retries.map((retry) => ({ member: retryMember(retry), dueMs: retry.dueMs, detail: stored(retry) })),
    );
  }

  async leaseDue(shard: string, nowMs: number, leaseUntilMs: number, count: number): Promise<PendingDelivery[]> {
    const details = await this.store.scripts.run(LEASE_RETRIES, this.retryKeys(shard), { nowMs, leaseUntilMs, count });
    return details.map((detail) => ({ shard, ...(JSON.parse(detail) as StoredRetry) }));
  }

  async reschedule(delivery: PendingDelivery, dueMs: number): Promise<void> {
    await this.store.scripts.run(RESCHEDULE_RETRY, this.retryKeys(delivery.shard), { member: retryMember(delivery), dueMs, detail: stored(delivery) });
  }

  async complete(delivery: PendingDelivery): Promise<void> {
    await this.store.scripts.run(COMPLETE_RETRY, this.retryKeys(delivery.shard), { member: retryMember(delivery) });
  }

  async deadLetter(delivery: PendingDelivery, failedAtMs: number): Promise<void> {
    const { event } = delivery;
    await this.store.scripts.run(
      DEAD_LETTER_RETRY,
      { ...this.retryKeys(delivery.shard), deadLetters: this.store.keys.eventDeadLetters(delivery.shard) },
      {
        member: retryMember(delivery),
        maxLength: DEAD_LETTERS_MAX_LENGTH,
        subscriber: delivery.subscriberId,
        eventId: event.id,
        type: event.type,
        time: event.occurredAtMs,
        data: JSON.stringify(event.data),
        attempts: delivery.attempts,
        deadlineMs: delivery.deadlineMs,
        status: delivery.lastStatus,
        error: delivery.lastError,
        failedAtMs,
      },
    );
  }

  async listDeadLetters(limit: number, before?: string): Promise<DeadLetter[]> {
    const end = before === undefined ? '+' : `(${parseDeadLetterId(before)?.entryId ?? '0-0'}`;
    const perShard = await Promise.all(
      this.shards.map(async (shard) => {
        const entries = (await this.store.client.xrevrange(this.store.keys.eventDeadLetters(shard), end, '-', 'COUNT', limit)) as StreamEntry[];
        return entries.map((entry) => toDeadLetter(shard, entry));
      }),
    );
    return perShard
      .flat()
      .sort((a, b) => compareEntryIds(b.id.slice(b.id.indexOf('_') + 1), a.id.slice(a.id.indexOf('_') + 1)))
      .slice(0, limit);
  }

  async replay(id: string, nowMs: number, deadlineMs: number): Promise<boolean> {
    const parsed = parseDeadLetterId(id);
    if (parsed === undefined || !this.shards.includes(parsed.shard)) return false;
    const deadLetters = this.store.keys.eventDeadLetters(parsed.shard);
    const [entry] = (await this.store.client.xrange(deadLetters, parsed.entryId, parsed.entryId)) as StreamEntry[];
    if (entry === undefined) return false;
    const letter = toDeadLetter(parsed.shard, entry);
    const retry: PendingDelivery = { ...letter, attempts: 0, deadlineMs };
    const replayed = await this.store.scripts.run(
      REPLAY_DEAD_LETTER,
      { deadLetters, ...this.retryKeys(parsed.shard) },
      { entryId: parsed.entryId, member: retryMember(retry), dueMs: nowMs, detail: stored(retry) },
    );
    return replayed === 1;
  }

  async depth(): Promise<Record<string, number>> {
    const counts = await Promise.all(
      this.shards.map(async (shard) => {
        const [pending, retries] = await Promise.all([
          this.store.client.xpending(this.store.keys.eventStream(shard), DISPATCH_GROUP).catch(() => [0]) as Promise<[number | string]>,
          this.store.client.zcard(this.store.keys.eventRetries(shard)),
        ]);
        return [shard, Number(pending[0]) + retries] as const;
      }),
    );
    return Object.fromEntries(counts);
  }

  watch(): () => void {
    return () => undefined;
  }

  async trim(shard: string, readUpTo: string): Promise<void> {
    const [ms, seq] = readUpTo.split('-');
    await this.store.scripts.run(TRIM_STREAM, { stream: this.store.keys.eventStream(shard) }, { group: DISPATCH_GROUP, nextAfter: `${ms}-${Number(seq) + 1}` });
  }

  private retryKeys(shard: string): { retries: string; details: string } {
    return { retries: this.store.keys.eventRetries(shard), details: this.store.keys.eventRetryDetails(shard) };
  }
}

function fieldsOf(fields: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]] = fields[i + 1];
  return record;
}

/** An entry as the scripts write it (`id type time data`); anything else is not an event. */
function toEvent(fields: Record<string, string>): RecordedEvent | undefined {
  const occurredAtMs = Number(fields.time);
  if (!fields.id || !EVENT_TYPES.includes(fields.type as EventType) || !Number.isFinite(occurredAtMs)) return undefined;
  try {
    return { id: fields.id, type: fields.type as EventType, occurredAtMs, data: JSON.parse(fields.data ?? '{}') as EventData };
  } catch {
    return undefined;
  }
}

function toQueued(shard: string, [entryId, fields]: StreamEntry): QueuedEvent {
  return { shard, entryId, event: toEvent(fieldsOf(fields)) };
}

function toDeadLetter(shard: string, [entryId, raw]: StreamEntry): DeadLetter {
  const fields = fieldsOf(raw);
  const event = toEvent(fields) ?? { id: fields.id ?? '', type: fields.type as EventType, occurredAtMs: Number(fields.time), data: {} };
  return {
    id: `${shard}_${entryId}`,
    shard,
    subscriberId: fields.subscriber ?? '',
    event,
    attempts: Number(fields.attempts),
    deadlineMs: Number(fields.deadline),
    lastStatus: Number(fields.status),
    lastError: fields.error ?? '',
    failedAtMs: Number(fields.failedAt),
  };
}

function stored(delivery: Omit<PendingDelivery, 'shard'> & { shard?: string }): string {
  const { subscriberId, event, attempts, deadlineMs, lastError, lastStatus } = delivery;
  return JSON.stringify({ subscriberId, event, attempts, deadlineMs, lastError, lastStatus } satisfies StoredRetry);
}

import type { RecordedEvent } from './event-types.js';

/** An event read from a shard's stream, not yet acknowledged. */
export interface QueuedEvent {
  readonly shard: string;
  /** The stream entry's id: what settle() acknowledges. */
  readonly entryId: string;
  /** Undefined for an entry that is not a well-formed event: settled with no delivery. */
  readonly event?: RecordedEvent;
}

/** One subscriber's delivery of one event that failed at least once. */
export interface PendingDelivery {
  readonly shard: string;
  readonly subscriberId: string;
  readonly event: RecordedEvent;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** After it, a failed attempt is the last: the delivery goes to the dead letters. */
  readonly deadlineMs: number;
  readonly lastError: string;
  /** The subscriber's last HTTP status, 0 when it did not answer. */
  readonly lastStatus: number;
}

/** A delivery given up after its retry window, kept for an operator to look at and replay. */
export interface DeadLetter extends PendingDelivery {
  /** `<shard>_<entry id>`: what replay() takes. */
  readonly id: string;
  readonly failedAtMs: number;
}

/**
 * The delivery side of the event outbox: reading each shard's events once per group of
 * dispatchers (every instance shares the group), the retry schedule of failed deliveries, and
 * the dead letters. Redis keeps all of it in each shard's slot; the in-memory adapter keeps it
 * in the process (lost on restart).
 */
export abstract class DeliveryQueue {
  /** The shards to poll (16 on Redis, one in memory). */
  abstract readonly shards: readonly string[];

  /** Makes the shard's consumer group (idempotent; a restarted store loses it, so read() calls it again on need). */
  abstract prepare(shard: string): Promise<void>;

  /** Up to `count` events no dispatcher has read yet, now pending on `consumer`. */
  abstract read(shard: string, consumer: string, count: number): Promise<QueuedEvent[]>;

  /** Up to `count` events read but not settled for `minIdleMs` (their reader died): now pending on `consumer`. */
  abstract claimStale(shard: string, consumer: string, minIdleMs: number, count: number): Promise<QueuedEvent[]>;

  /** Acknowledges an entry and, in the same atomic step, schedules its failed deliveries. */
  abstract settle(entry: QueuedEvent, retries: readonly (PendingDelivery & { dueMs: number })[]): Promise<void>;

  /** Up to `count` retries due at `nowMs`, each leased until `leaseUntilMs` (given back then if not settled). */
  abstract leaseDue(shard: string, nowMs: number, leaseUntilMs: number, count: number): Promise<PendingDelivery[]>;

  /** Records a failed retry and its next due time. */
  abstract reschedule(delivery: PendingDelivery, dueMs: number): Promise<void>;

  /** Removes a retry that succeeded. */
  abstract complete(delivery: PendingDelivery): Promise<void>;

  /** Moves a retry to the shard's dead letters, atomically. */
  abstract deadLetter(delivery: PendingDelivery, failedAtMs: number): Promise<void>;

  /** Dead letters, newest first, `limit` at most, those before the dead letter `before` if given. */
  abstract listDeadLetters(limit: number, before?: string): Promise<DeadLetter[]>;

  /** Puts a dead letter back on the retry schedule (due at `nowMs`, attempts from 0); false when unknown. */
  abstract replay(id: string, nowMs: number, deadlineMs: number): Promise<boolean>;

  /** Events read and not settled, plus scheduled retries, per shard. */
  abstract depth(): Promise<Record<string, number>>;

  /** Calls `listener` when an event may be waiting (the in-memory log's append); Redis is polled and never calls it. */
  abstract watch(listener: () => void): () => void;

  /** Drops the entries of a shard that the group has delivered and acknowledged, up to `readUpTo` (an entry id this consumer read). */
  abstract trim(shard: string, readUpTo: string): Promise<void>;
}

/** The retry schedule's member of a delivery: one per subscriber and event. */
export const retryMember = (delivery: Pick<PendingDelivery, 'subscriberId' | 'event'>): string => `${delivery.subscriberId} ${delivery.event.id}`;

/** A dead letter's id, `<shard>_<ms>-<seq>`, as its shard and stream entry. */
export function parseDeadLetterId(id: string): { shard: string; entryId: string } | undefined {
  const match = /^([^_]+)_(\d+-\d+)$/.exec(id);
  return match ? { shard: match[1], entryId: match[2] } : undefined;
}

/** Orders stream entry ids (`ms-seq`). */
export function compareEntryIds(a: string, b: string): number {
  const [ams, aseq] = a.split('-').map(BigInt);
  const [bms, bseq] = b.split('-').map(BigInt);
  return ams !== bms ? (ams < bms ? -1 : 1) : aseq === bseq ? 0 : aseq < bseq ? -1 : 1;
}

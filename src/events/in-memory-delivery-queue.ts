import type { Clock } from '../common/time/clock.js';
import { compareEntryIds, type DeadLetter, DeliveryQueue, parseDeadLetterId, type PendingDelivery, type QueuedEvent, retryMember } from './delivery-queue.js';
import type { RecordedEvent } from './event-types.js';
import type { InMemoryEventLog } from './in-memory-event-log.js';

const SHARD = 'memory';
const DEAD_LETTERS_MAX_LENGTH = 10_000;

/**
 * The embedded mode's delivery queue over the in-process event log: the same contract as on
 * Redis (read once, claim what was left unsettled, retries, leases, dead letters), held in the
 * process. Nothing of it survives a restart: events not yet delivered are lost then.
 */
export class InMemoryDeliveryQueue extends DeliveryQueue {
  readonly shards = [SHARD];
  private nextEntry = 1;
  private readonly unsettled = new Map<string, { event: RecordedEvent; readAtMs: number }>();
  private readonly retries = new Map<string, { dueMs: number; delivery: PendingDelivery }>();
  private deadLetters: DeadLetter[] = [];
  private lastDeadLetterMs = 0;
  private deadLetterSeq = 0;

  constructor(
    private readonly log: InMemoryEventLog,
    private readonly clock: Clock,
  ) {
    super();
  }

  prepare(): Promise<void> {
    return Promise.resolve();
  }

  read(shard: string, _consumer: string, count: number): Promise<QueuedEvent[]> {
    const now = this.clock.nowMs();
    return Promise.resolve(
      this.log.take(count).map((event) => {
        const entryId = `${this.nextEntry++}-0`;
        this.unsettled.set(entryId, { event, readAtMs: now });
        return { shard, entryId, event };
      }),
    );
  }

  claimStale(shard: string, _consumer: string, minIdleMs: number, count: number): Promise<QueuedEvent[]> {
    const now = this.clock.nowMs();
    const stale = [...this.unsettled].filter(([, entry]) => now - entry.readAtMs >= minIdleMs).slice(0, count);
    return Promise.resolve(
      stale.map(([entryId, entry]) => {
        entry.readAtMs = now;
        return { shard, entryId, event: entry.event };
      }),
    );
  }

  settle(entry: QueuedEvent, retries: readonly (PendingDelivery & { dueMs: number })[]): Promise<void> {
    for (const { dueMs, ...delivery } of retries) this.retries.set(retryMember(delivery), { dueMs, delivery });
    this.unsettled.delete(entry.entryId);
    return Promise.resolve();
  }

  leaseDue(_shard: string, nowMs: number, leaseUntilMs: number, count: number): Promise<PendingDelivery[]> {
    const due = [...this.retries.values()]
      .filter((retry) => retry.dueMs <= nowMs)
      .sort((a, b) => a.dueMs - b.dueMs)
      .slice(0, count);
    for (const retry of due) retry.dueMs = leaseUntilMs;
    return Promise.resolve(due.map((retry) => retry.delivery));
  }

  reschedule(delivery: PendingDelivery, dueMs: number): Promise<void> {
    this.retries.set(retryMember(delivery), { dueMs, delivery });
    return Promise.resolve();
  }

  complete(delivery: PendingDelivery): Promise<void> {
    this.retries.delete(retryMember(delivery));
    return Promise.resolve();
  }

  deadLetter(delivery: PendingDelivery, failedAtMs: number): Promise<void> {
    this.retries.delete(retryMember(delivery));
    // Ids as a stream makes them: the time, and a sequence within one millisecond.
    const ms = Math.max(this.clock.nowMs(), this.lastDeadLetterMs);
    this.deadLetterSeq = ms === this.lastDeadLetterMs ? this.deadLetterSeq + 1 : 0;
    this.lastDeadLetterMs = ms;
    this.deadLetters.push({ ...delivery, id: `${SHARD}_${ms}-${this.deadLetterSeq}`, failedAtMs });
    if (this.deadLetters.length > DEAD_LETTERS_MAX_LENGTH) this.deadLetters.shift();
    return Promise.resolve();
  }

  listDeadLetters(limit: number, before?: string): Promise<DeadLetter[]> {
    const cursor = before === undefined ? undefined : (parseDeadLetterId(before)?.entryId ?? '0-0');
    const entryOf = (letter: DeadLetter) => parseDeadLetterId(letter.id)!.entryId;
    return Promise.resolve(
      this.deadLetters
        .filter((letter) => cursor === undefined || compareEntryIds(entryOf(letter), cursor) < 0)
        .reverse()
        .slice(0, limit),
    );
  }

  replay(id: string, nowMs: number, deadlineMs: number): Promise<boolean> {
    const letter = this.deadLetters.find((candidate) => candidate.id === id);
    if (letter === undefined) return Promise.resolve(false);
    this.deadLetters = this.deadLetters.filter((candidate) => candidate !== letter);
    const { id: _id, failedAtMs: _failedAtMs, ...delivery } = letter;
    const retry: PendingDelivery = { ...delivery, attempts: 0, deadlineMs };
    this.retries.set(retryMember(retry), { dueMs: nowMs, delivery: retry });
    return Promise.resolve(true);
  }

  depth(): Promise<Record<string, number>> {
    return Promise.resolve({ [SHARD]: this.unsettled.size + this.retries.size });
  }

  watch(listener: () => void): () => void {
    return this.log.onAppend(() => listener());
  }

  trim(): Promise<void> {
    return Promise.resolve();
  }
}

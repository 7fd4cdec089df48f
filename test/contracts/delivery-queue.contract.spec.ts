import { SystemClock } from '../../src/common/time/clock.js';
import { type DeliveryQueue, type PendingDelivery, type QueuedEvent } from '../../src/events/delivery-queue.js';
import type { EventLog } from '../../src/events/event-log.js';
import type { EventType } from '../../src/events/event-types.js';
import { InMemoryDeliveryQueue } from '../../src/events/in-memory-delivery-queue.js';
import { InMemoryEventLog } from '../../src/events/in-memory-event-log.js';
import { RedisDeliveryQueue } from '../../src/events/redis-delivery-queue.js';
import { RedisEventLog } from '../../src/events/redis-event-log.js';
import { type Contract, CONTRACT_KEYS, onEveryStore, scriptsFor } from './every-store.js';

interface Events {
  log: EventLog;
  queue: DeliveryQueue;
}

const clock = new SystemClock();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads every shard until `want` events came (or nothing more does). */
async function readAll(queue: DeliveryQueue, consumer: string, want: number): Promise<QueuedEvent[]> {
  const read: QueuedEvent[] = [];
  for (let round = 0; round < 5 && read.length < want; round += 1) {
    for (const shard of queue.shards) read.push(...(await queue.read(shard, consumer, 100)));
  }
  return read;
}

const deliveryQueueContract: Contract<Events> = (adapter, setup) => {
  describe(`DeliveryQueue contract: ${adapter}`, () => {
    let log: EventLog;
    let queue: DeliveryQueue;
    let teardown: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ repository: { log, queue }, teardown } = await setup());
      for (const shard of queue.shards) await queue.prepare(shard);
      await queue.prepare(queue.shards[0]);
    });
    afterAll(async () => teardown?.());

    const record = async (type: EventType = 'user.created', data: Record<string, string> = { userId: 'usr_1' }) => {
      const draft = log.draft(data);
      await log.append(type, draft);
      return draft;
    };
    const retryOf = (entry: QueuedEvent, subscriberId: string, overrides: Partial<PendingDelivery> = {}): PendingDelivery => ({
      shard: entry.shard,
      subscriberId,
      event: entry.event!,
      attempts: 1,
      deadlineMs: clock.nowMs() + 60_000,
      lastError: 'HTTP 500',
      lastStatus: 500,
      ...overrides,
    });
    /** Settles everything a test left read, so the next test starts with an empty pending list. */
    afterEach(async () => {
      for (const shard of queue.shards) for (const entry of await queue.claimStale(shard, 'cleaner', 0, 1000)) await queue.settle(entry, []);
      for (const shard of queue.shards) for (const retry of await queue.leaseDue(shard, Number.MAX_SAFE_INTEGER, 1, 1000)) await queue.complete(retry);
    });

    it('hands each recorded event to one reader of the group, as recorded', async () => {
      const drafts = [await record('user.created', { userId: 'usr_a' }), await record('session.revoked', { sessionId: 'ses_b', reason: 'logout' })];
      const read = await readAll(queue, 'reader-1', 2);
      expect(read).toHaveLength(2);
      expect(read.map((entry) => entry.event)).toEqual(expect.arrayContaining([
        { id: drafts[0].id, type: 'user.created', occurredAtMs: drafts[0].occurredAtMs, data: { userId: 'usr_a' } },
        { id: drafts[1].id, type: 'session.revoked', occurredAtMs: drafts[1].occurredAtMs, data: { sessionId: 'ses_b', reason: 'logout' } },
      ]));
      expect(await readAll(queue, 'reader-2', 1)).toEqual([]);
      for (const entry of read) await queue.settle(entry, []);
    });

    it('gives an event left unsettled to another reader once it has been idle long enough, and not before', async () => {
      const draft = await record();
      const [entry] = await readAll(queue, 'dead-reader', 1);
      expect(await queue.claimStale(entry.shard, 'reader-2', 60_000, 10)).toEqual([]);
      await sleep(60);
      const claimed = await queue.claimStale(entry.shard, 'reader-2', 50, 10);
      expect(claimed.map((queued) => queued.event?.id)).toEqual([draft.id]);
      await queue.settle(claimed[0], []);
      await sleep(60);
      expect(await queue.claimStale(entry.shard, 'reader-3', 50, 10)).toEqual([]);
    });

    it('settles an event and schedules its failed deliveries in one step; leases each due retry once', async () => {
      await record();
      const [entry] = await readAll(queue, 'reader-1', 1);
      const now = clock.nowMs();
      await queue.settle(entry, [
        { ...retryOf(entry, 'hook-a'), dueMs: now - 1 },
        { ...retryOf(entry, 'hook-b'), dueMs: now + 60_000 },
      ]);
      await sleep(60);
      expect(await queue.claimStale(entry.shard, 'reader-2', 50, 10)).toEqual([]);
      const leased = await queue.leaseDue(entry.shard, now, now + 30_000, 10);
      expect(leased).toEqual([retryOf(entry, 'hook-a', { deadlineMs: leased[0]?.deadlineMs })]);
      expect(await queue.leaseDue(entry.shard, now + 29_000, now + 60_000, 10)).toEqual([]);
      // A lease that ran out (its holder died) gives the retry back.
      expect((await queue.leaseDue(entry.shard, now + 30_000, now + 90_000, 10)).map((retry) => retry.subscriberId)).toEqual(['hook-a']);
      expect((await queue.leaseDue(entry.shard, now + 60_000, now + 120_000, 10)).map((retry) => retry.subscriberId)).toEqual(['hook-b']);
    });

    it('reschedules a failed retry with its attempts and last error, and forgets a completed one', async () => {
      await record();
      const [entry] = await readAll(queue, 'reader-1', 1);
      const now = clock.nowMs();
      await queue.settle(entry, [{ ...retryOf(entry, 'hook-a'), dueMs: now }]);
      const [leased] = await queue.leaseDue(entry.shard, now, now + 30_000, 10);
      await queue.reschedule({ ...leased, attempts: 2, lastError: 'no answer within 5000 ms', lastStatus: 0 }, now + 1000);
      const [again] = await queue.leaseDue(entry.shard, now + 1000, now + 30_000, 10);
      expect(again).toMatchObject({ attempts: 2, lastError: 'no answer within 5000 ms', lastStatus: 0 });
      await queue.complete(again);
      expect(await queue.leaseDue(entry.shard, now + 100_000, now + 200_000, 10)).toEqual([]);
    });

    it('counts events read and not settled plus scheduled retries as the depth', async () => {
      const total = async () => Object.values(await queue.depth()).reduce((sum, depth) => sum + depth, 0);
      const before = await total();
      await record();
      await record();
      const [first, second] = await readAll(queue, 'reader-1', 2);
      expect(await total()).toBe(before + 2);
      await queue.settle(first, [{ ...retryOf(first, 'hook-a'), dueMs: clock.nowMs() }]);
      await queue.settle(second, []);
      expect(await total()).toBe(before + 1);
    });

    it('moves a retry to the dead letters, lists them newest first by page, and replays one once', async () => {
      const letters: string[] = [];
      for (const subscriberId of ['hook-1', 'hook-2', 'hook-3']) {
        await record('fraud.blocked', { prefix: '+91987654' });
        const [entry] = await readAll(queue, 'reader-1', 1);
        await queue.settle(entry, [{ ...retryOf(entry, subscriberId), dueMs: clock.nowMs() }]);
        const [leased] = await queue.leaseDue(entry.shard, clock.nowMs(), clock.nowMs() + 30_000, 10);
        await queue.deadLetter({ ...leased, attempts: 7, lastError: 'HTTP 503', lastStatus: 503 }, clock.nowMs());
        letters.push(leased.event.id);
        await sleep(5);
      }
      const firstPage = await queue.listDeadLetters(2);
      expect(firstPage.map((letter) => letter.event.id)).toEqual([letters[2], letters[1]]);
      expect(firstPage[0]).toMatchObject({ subscriberId: 'hook-3', attempts: 7, lastStatus: 503, lastError: 'HTTP 503', event: { type: 'fraud.blocked', data: { prefix: '+91987654' } } });
      const secondPage = await queue.listDeadLetters(2, firstPage[1].id);
      expect(secondPage.map((letter) => letter.event.id)).toEqual([letters[0]]);

      const replayed = firstPage[1];
      const now = clock.nowMs();
      expect(await queue.replay(replayed.id, now, now + 60_000)).toBe(true);
      expect(await queue.replay(replayed.id, now, now + 60_000)).toBe(false);
      expect((await queue.listDeadLetters(10)).map((letter) => letter.event.id)).toEqual([letters[2], letters[0]]);
      const [due] = await queue.leaseDue(replayed.shard, now, now + 30_000, 10);
      expect(due).toEqual({ shard: replayed.shard, subscriberId: 'hook-2', event: replayed.event, attempts: 0, deadlineMs: now + 60_000, lastError: 'HTTP 503', lastStatus: 503 });
      await queue.complete(due);
      expect(await queue.replay('nonsense', now, now)).toBe(false);
      for (const letter of await queue.listDeadLetters(10)) await queue.replay(letter.id, now, now);
    });

    it('keeps an event nobody settled through a trim, and drops none it still needs', async () => {
      const kept = await record();
      const [pending] = await readAll(queue, 'dead-reader', 1);
      const later = await record();
      const read = (await readAll(queue, 'reader-1', 1)).filter((entry) => entry.shard === pending.shard);
      for (const entry of await readAll(queue, 'reader-1', 0)) await queue.settle(entry, []);
      for (const entry of read) await queue.settle(entry, []);
      await queue.trim(pending.shard, read.at(-1)?.entryId ?? pending.entryId);
      await sleep(60);
      const claimed = await queue.claimStale(pending.shard, 'reader-2', 50, 10);
      expect(claimed.map((entry) => entry.event?.id)).toEqual([kept.id]);
      expect(later.id).not.toBe(kept.id);
    });
  });
};

onEveryStore(deliveryQueueContract, (redis) => {
  if (redis === null) {
    const log = new InMemoryEventLog(clock, 10_000);
    return { log, queue: new InMemoryDeliveryQueue(log, clock) };
  }
  const store = { client: redis, keys: CONTRACT_KEYS, scripts: scriptsFor(redis) };
  return { log: new RedisEventLog(store, clock, 10_000), queue: new RedisDeliveryQueue(store) };
});

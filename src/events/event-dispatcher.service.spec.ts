import { FakeClock } from '../../test/support/fake-clock.js';
import { Metrics } from '../metrics/metrics.service.js';
import { EventDispatcher } from './event-dispatcher.service.js';
import { EventFilter } from './event-filter.js';
import type { EventType, RecordedEvent } from './event-types.js';
import type { EventsConfig, WebhookSubscriber } from './events.config.js';
import { InMemoryDeliveryQueue } from './in-memory-delivery-queue.js';
import { InMemoryEventLog } from './in-memory-event-log.js';
import { RetryPolicy } from './retry-policy.js';
import type { DeliveryAttempt, WebhookDelivery } from './webhook-delivery.js';

const HOUR = 3_600_000;
const subscriber = (id: string, events = '*'): WebhookSubscriber => ({ id, url: `https://${id}.example/hook`, secret: 'whsec_x', filter: EventFilter.parse(events), includePhone: false });

/** A delivery that answers as told per subscriber, and remembers each attempt. */
class ScriptedDelivery {
  readonly attempts: { subscriber: string; event: string }[] = [];
  up = new Set<string>();
  retries = 0;
  deadLetters = 0;
  deliver(to: WebhookSubscriber, event: RecordedEvent): Promise<DeliveryAttempt> {
    this.attempts.push({ subscriber: to.id, event: event.id });
    return Promise.resolve(this.up.has(to.id) ? { ok: true } : { ok: false, status: 503, error: 'HTTP 503' });
  }
  countRetry() {
    this.retries += 1;
  }
  countDeadLetter() {
    this.deadLetters += 1;
  }
}

function setup(subscribers: WebhookSubscriber[]) {
  const clock = new FakeClock();
  const log = new InMemoryEventLog(clock, 1000);
  const queue = new InMemoryDeliveryQueue(log, clock);
  const delivery = new ScriptedDelivery();
  // The top of each jitter range: every delay is its ceiling less one ms.
  const policy = new RetryPolicy(clock, () => 0.999_999, 1000, HOUR);
  const config = { subscribers, retryWindowMs: 2 * HOUR, batchSize: 32, claimIdleMs: 60_000, pollIntervalMs: 1000 } as EventsConfig;
  const dispatcher = new EventDispatcher(queue, delivery as unknown as WebhookDelivery, policy, config, clock, new Metrics());
  const record = async (type: EventType = 'user.created') => {
    const draft = log.draft({ userId: 'usr_1' });
    await log.append(type, draft);
    return draft.id;
  };
  return { clock, queue, delivery, dispatcher, record, poll: () => dispatcher.pollOnce('memory') };
}

describe(EventDispatcher.name, () => {
  it('delivers each event to the subscribers whose filter matches, once', async () => {
    const { delivery, record, poll } = setup([subscriber('all'), subscriber('sessions', 'session.*')]);
    delivery.up = new Set(['all', 'sessions']);
    const user = await record('user.created');
    const session = await record('session.revoked');
    expect(await poll()).toBe(2);
    expect(delivery.attempts).toEqual([
      { subscriber: 'all', event: user },
      { subscriber: 'all', event: session },
      { subscriber: 'sessions', event: session },
    ]);
    expect(await poll()).toBe(0);
  });

  it('retries a failed delivery when its backoff has passed, not before, doubling the delay', async () => {
    const { clock, delivery, record, poll } = setup([subscriber('crm')]);
    const id = await record();
    await poll();
    clock.advance(998);
    await poll();
    expect(delivery.attempts).toHaveLength(1);
    clock.advance(1);
    await poll();
    expect(delivery.attempts).toHaveLength(2);
    clock.advance(1998);
    await poll();
    expect(delivery.attempts).toHaveLength(2);
    clock.advance(1);
    await poll();
    expect(delivery.attempts).toEqual([1, 2, 3].map(() => ({ subscriber: 'crm', event: id })));
    expect(delivery.retries).toBe(2);
  });

  it('stops retrying once the subscriber took it, and dead-letters what still fails after the window', async () => {
    const { clock, queue, delivery, record, poll } = setup([subscriber('crm'), subscriber('audit')]);
    delivery.up = new Set(['audit']);
    const id = await record();
    await poll();
    for (let step = 0; step < 40 && clock.nowMs() < Date.UTC(2026, 10, 21, 14, 1); step += 1) {
      clock.advance(10 * 60_000);
      await poll();
    }
    expect(delivery.attempts.filter((attempt) => attempt.subscriber === 'audit')).toHaveLength(1);
    expect(delivery.deadLetters).toBe(1);
    const [letter] = await queue.listDeadLetters(10);
    expect(letter).toMatchObject({ subscriberId: 'crm', event: { id }, lastStatus: 503, lastError: 'HTTP 503', deadlineMs: Date.UTC(2026, 10, 21, 14, 0) });
    expect(letter.attempts).toBe(delivery.attempts.filter((attempt) => attempt.subscriber === 'crm').length);
  });

  it('starts no loop without subscribers', async () => {
    const { dispatcher, delivery, record } = setup([]);
    await record();
    dispatcher.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await dispatcher.onApplicationShutdown();
    expect(delivery.attempts).toEqual([]);
  });
});

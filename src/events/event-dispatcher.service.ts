import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomBase64Url } from '../common/random/random-pool.js';
import { Clock } from '../common/time/clock.js';
import { Metrics } from '../metrics/metrics.service.js';
import { compareEntryIds, DeliveryQueue, type PendingDelivery, type QueuedEvent } from './delivery-queue.js';
import { eventsConfig, type WebhookSubscriber } from './events.config.js';
import { RetryPolicy } from './retry-policy.js';
import { WebhookDelivery } from './webhook-delivery.js';

const MAX_ERROR_BACKOFF_MS = 30_000;

/**
 * Delivers the recorded events to the webhook subscribers, at least once. One loop per shard
 * reads the shard's new events through the group every instance shares, POSTs each to its
 * subscribers, and acknowledges it with its failed deliveries scheduled for retry (one script);
 * it takes over events a dead instance left unsettled, and leases the due retries. A loop that
 * found work polls again at once; an idle one waits EVENT_POLL_INTERVAL_MS. A store error is
 * logged and the loop backs off, never ending the process. Without subscribers nothing runs.
 */
@Injectable()
export class EventDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventDispatcher');
  /** This instance's name in the groups: unique per process, so a restart's events are claimed, not resumed. */
  private readonly consumer = `${hostname()}-${process.pid}-${randomBase64Url(6)}`;
  private readonly subscribers: ReadonlyMap<string, WebhookSubscriber>;
  private readonly sleepers = new Set<() => void>();
  private readonly state = new Map<string, { prepared: boolean; nextClaimMs: number; readUpTo?: string }>();
  private loops: Promise<void>[] = [];
  private stopping = false;
  private unwatch?: () => void;

  constructor(
    private readonly queue: DeliveryQueue,
    private readonly delivery: WebhookDelivery,
    private readonly policy: RetryPolicy,
    @Inject(eventsConfig.KEY) private readonly config: ConfigType<typeof eventsConfig>,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.subscribers = new Map(config.subscribers.map((subscriber) => [subscriber.id, subscriber]));
    metrics.eventQueueDepthSource = () => queue.depth();
  }

  onApplicationBootstrap(): void {
    if (this.subscribers.size === 0) {
      this.logger.log('no EVENT_WEBHOOKS: events are recorded and trimmed, not delivered');
      return;
    }
    this.unwatch = this.queue.watch(() => this.wake());
    this.loops = this.queue.shards.map((shard) => this.run(shard));
    this.logger.log(`delivering events to ${this.subscribers.size} webhook subscriber(s) from ${this.queue.shards.length} shard(s)`);
  }

  /** Stops polling; the deliveries in flight finish (each within its timeout) or stay pending for another instance. */
  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.unwatch?.();
    this.wake();
    await Promise.all(this.loops);
  }

  /** One poll of one shard (the loop's step, also what tests drive): the number of events and retries handled. */
  async pollOnce(shard: string): Promise<number> {
    const state = this.state.get(shard) ?? { prepared: false, nextClaimMs: 0 };
    this.state.set(shard, state);
    if (!state.prepared) {
      await this.queue.prepare(shard);
      state.prepared = true;
    }
    const { batchSize, claimIdleMs } = this.config;
    const fresh = await this.queue.read(shard, this.consumer, batchSize);
    let entries = fresh;
    if (fresh.length < batchSize && this.clock.nowMs() >= state.nextClaimMs) {
      entries = fresh.concat(await this.queue.claimStale(shard, this.consumer, claimIdleMs, batchSize - fresh.length));
      state.nextClaimMs = this.clock.nowMs() + claimIdleMs / 2;
    }
    await Promise.all(entries.map((entry) => this.dispatch(entry)));
    const newest = fresh.at(-1)?.entryId;
    if (newest !== undefined) {
      if (state.readUpTo === undefined || compareEntryIds(newest, state.readUpTo) > 0) state.readUpTo = newest;
      await this.queue.trim(shard, state.readUpTo);
    }
    const now = this.clock.nowMs();
    const due = await this.queue.leaseDue(shard, now, now + claimIdleMs, batchSize);
    await Promise.all(due.map((retry) => this.retry(retry)));
    return entries.length + due.length;
  }

  private async run(shard: string): Promise<void> {
    let errorBackoffMs = this.config.pollIntervalMs;
    while (!this.stopping) {
      let handled: number;
      try {
        handled = await this.pollOnce(shard);
        errorBackoffMs = this.config.pollIntervalMs;
      } catch (error) {
        this.state.set(shard, { ...(this.state.get(shard) ?? { nextClaimMs: 0 }), prepared: false });
        errorBackoffMs = Math.min(errorBackoffMs * 2, MAX_ERROR_BACKOFF_MS);
        this.logger.warn(`event dispatch on shard ${shard} failed (${(error as Error).message}); trying again in ${errorBackoffMs} ms`);
        await this.sleep(errorBackoffMs);
        continue;
      }
      if (handled === 0) await this.sleep(this.config.pollIntervalMs);
    }
  }

  private async dispatch(entry: QueuedEvent): Promise<void> {
    const { event } = entry;
    if (event === undefined) {
      this.logger.warn(`dropped stream entry ${entry.entryId} of shard ${entry.shard}: not an event`);
      return this.queue.settle(entry, []);
    }
    const targets = [...this.subscribers.values()].filter((subscriber) => subscriber.filter.matches(event.type));
    const attempts = await Promise.all(targets.map(async (subscriber) => ({ subscriber, attempt: await this.delivery.deliver(subscriber, event) })));
    const deadlineMs = event.occurredAtMs + this.config.retryWindowMs;
    const retries = attempts.flatMap(({ subscriber, attempt }) =>
      attempt.ok
        ? []
        : [{ shard: entry.shard, subscriberId: subscriber.id, event, attempts: 1, deadlineMs, lastError: attempt.error, lastStatus: attempt.status, dueMs: this.policy.nextDueMs(1, deadlineMs) ?? this.clock.nowMs() }],
    );
    await this.queue.settle(entry, retries);
  }

  private async retry(retry: PendingDelivery): Promise<void> {
    const subscriber = this.subscribers.get(retry.subscriberId);
    if (subscriber === undefined) {
      // Its subscriber left the configuration: nobody to deliver to.
      this.logger.warn(`dropped the retry of event ${retry.event.id} for ${retry.subscriberId}, no longer a subscriber`);
      return this.queue.complete(retry);
    }
    this.delivery.countRetry();
    const attempt = await this.delivery.deliver(subscriber, retry.event);
    if (attempt.ok) return this.queue.complete(retry);
    const failed: PendingDelivery = { ...retry, attempts: retry.attempts + 1, lastError: attempt.error, lastStatus: attempt.status };
    const dueMs = this.policy.nextDueMs(failed.attempts, failed.deadlineMs);
    if (dueMs !== undefined) return this.queue.reschedule(failed, dueMs);
    this.logger.warn(`gave up delivering event ${retry.event.id} (${retry.event.type}) to ${retry.subscriberId} after ${failed.attempts} attempts: ${attempt.error}`);
    this.delivery.countDeadLetter();
    await this.queue.deadLetter(failed, this.clock.nowMs());
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private wake(): void {
    for (const sleeper of [...this.sleepers]) sleeper();
  }
}

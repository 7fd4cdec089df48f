import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/time/clock.js';
import { Metrics } from '../metrics/metrics.service.js';
import { eventsConfig, type WebhookSubscriber } from './events.config.js';
import type { RecordedEvent } from './event-types.js';
import { WebhookSigner } from './webhook-signer.js';

/** How one POST ended: a 2xx, or the status (0: no answer) and a short reason. */
export type DeliveryAttempt = { ok: true } | { ok: false; status: number; error: string };

/** One signed POST of one event to one subscriber, bounded by EVENT_DELIVERY_TIMEOUT_MS, counted in the metrics. */
@Injectable()
export class WebhookDelivery {
  constructor(
    private readonly clock: Clock,
    @Inject(eventsConfig.KEY) private readonly config: ConfigType<typeof eventsConfig>,
    private readonly metrics: Metrics,
  ) {}

  async deliver(subscriber: WebhookSubscriber, event: RecordedEvent): Promise<DeliveryAttempt> {
    const attempt = await this.post(subscriber, event);
    if (attempt.ok) {
      this.metrics.eventDeliveries.inc({ outcome: 'delivered' });
      this.metrics.eventDeliveryLatency.observe(Math.max(0, this.clock.nowMs() - event.occurredAtMs) / 1000);
    } else {
      this.metrics.eventDeliveries.inc({ outcome: 'failed' });
    }
    return attempt;
  }

  countRetry(): void {
    this.metrics.eventRetries.inc();
  }

  countDeadLetter(): void {
    this.metrics.eventDeliveries.inc({ outcome: 'dead_lettered' });
    this.metrics.eventDeadLetters.inc();
  }

  private async post(subscriber: WebhookSubscriber, event: RecordedEvent): Promise<DeliveryAttempt> {
    const { headers, body } = WebhookSigner.sign(event, subscriber, this.clock.nowMs());
    try {
      const response = await fetch(subscriber.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.config.deliveryTimeoutMs) });
      // The answer's body is not read beyond what frees the connection.
      await response.body?.cancel().catch(() => undefined);
      return response.ok ? { ok: true } : { ok: false, status: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${this.config.deliveryTimeoutMs} ms` : describe(error);
      return { ok: false, status: 0, error: reason };
    }
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return (cause?.code ?? cause?.message ?? (error as Error).message ?? 'request failed').slice(0, 200);
}

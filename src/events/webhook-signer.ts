import { createHmac } from 'node:crypto';
import type { RecordedEvent } from './event-types.js';

/** The headers and body of one signed webhook request (Standard Webhooks). */
export interface SignedWebhook {
  readonly headers: Readonly<Record<'content-type' | 'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>>;
  readonly body: string;
}

/**
 * Signs as https://www.standardwebhooks.com says: `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>">` under the base64-decoded part of the `whsec_` secret. The id is the
 * event's, so a retry carries the same `webhook-id` and receivers deduplicate on it.
 */
export class WebhookSigner {
  /** The body: type, the event's time (ISO 8601) and its data, `phone` removed unless `includePhone`. */
  static body(event: RecordedEvent, includePhone: boolean): string {
    const data: Record<string, unknown> = { ...event.data };
    if (!includePhone) delete data.phone;
    return JSON.stringify({ type: event.type, timestamp: new Date(event.occurredAtMs).toISOString(), data });
  }

  static signature(secret: string, id: string, timestampSeconds: number, body: string): string {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
  }

  /** The request for one attempt; `nowMs` is the attempt's time (`webhook-timestamp`, what receivers check against replays). */
  static sign(event: RecordedEvent, subscriber: { secret: string; includePhone: boolean }, nowMs: number): SignedWebhook {
    const body = WebhookSigner.body(event, subscriber.includePhone);
    const timestamp = Math.floor(nowMs / 1000);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': event.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': WebhookSigner.signature(subscriber.secret, event.id, timestamp, body),
      },
    };
  }
}

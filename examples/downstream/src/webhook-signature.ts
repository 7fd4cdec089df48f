import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verifies a phone-auth webhook (Standard Webhooks, https://www.standardwebhooks.com) with
 * node:crypto alone: self-contained, copy it as is.
 *
 * Checks, in order: the three headers are there; `webhook-timestamp` is within the tolerance of
 * now (a captured request cannot be replayed later); one of the `v1,` signatures in
 * `webhook-signature` is the HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<raw body>` under
 * the secret (constant-time compare). Verify the **raw** body, before any JSON parsing.
 *
 * Delivery is at least once: keep the `webhook-id`s you processed (as long as the sender retries,
 * EVENT_RETRY_HOURS) and skip one seen before.
 */
export interface VerifiedWebhook {
  id: string;
  type: string;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: Record<string, unknown>;
}

export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
}

export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

type Headers = Record<string, string | string[] | undefined>;

export function verifyWebhook(
  secret: string,
  rawBody: string | Buffer,
  headers: Headers,
  options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): VerifiedWebhook {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === undefined || timestamp === undefined || signatures === undefined) throw new WebhookSignatureError('missing webhook headers');

  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (!Number.isFinite(seconds) || Math.abs(now - seconds) > tolerance) throw new WebhookSignatureError('webhook timestamp outside the tolerance');

  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  const matches = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || signature === undefined) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookSignatureError('no valid webhook signature');

  const payload = JSON.parse(body) as Omit<VerifiedWebhook, 'id'>;
  return { id, type: payload.type, timestamp: payload.timestamp, data: payload.data };
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

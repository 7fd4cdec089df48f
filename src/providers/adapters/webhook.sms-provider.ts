import { createHmac, timingSafeEqual } from 'node:crypto';
import { CHANNELS, OtpDispatch, OtpMessage, ProviderError, SmsProvider } from '../sms-provider.js';
import { postToProvider } from './provider-http.js';

export const WEBHOOK_TIMESTAMP_HEADER = 'X-Phone-Auth-Timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'X-Phone-Auth-Signature';
/** How far a gateway accepts a timestamp from its own clock, in seconds. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export interface WebhookSmsProviderOptions {
  /** The gateway's HTTPS endpoint. */
  url: string;
  /** Shared HMAC-SHA256 key; the gateway verifies with verifyWebhookSignature(). */
  secret: string;
  /** Deadline of one call, in milliseconds. */
  timeoutMs: number;
  /** Wall clock in milliseconds since the epoch, for the signed timestamp; `Date.now` by default. */
  nowMs?: () => number;
}

/**
 * Hands the message to your own SMS gateway: `POST url` with JSON
 * `{ phone, channel, code, message, locale?, verificationId }`, signed Stripe-style:
 * `X-Phone-Auth-Timestamp: <unix seconds>` and `X-Phone-Auth-Signature: v1=<hex HMAC-SHA256 of
 * "<timestamp>.<raw body>">`. Any 2xx is a success; a JSON `id` in the answer becomes providerRef.
 * Redirects are not followed (they would carry the code elsewhere).
 */
export class WebhookSmsProvider extends SmsProvider {
  readonly name = 'webhook';
  readonly ownsCodes = false;
  readonly channels = CHANNELS;
  private readonly nowMs: () => number;

  constructor(private readonly options: WebhookSmsProviderOptions) {
    super();
    this.nowMs = options.nowMs ?? Date.now;
  }

  async send(message: OtpMessage, signal?: AbortSignal): Promise<OtpDispatch> {
    const body = JSON.stringify({
      phone: message.to,
      channel: message.channel,
      code: message.code,
      message: message.text,
      locale: message.locale,
      verificationId: message.verificationId,
    });
    const timestamp = Math.floor(this.nowMs() / 1000);
    const { status, text } = await postToProvider({
      provider: this.name,
      operation: 'send',
      url: this.options.url,
      headers: {
        'Content-Type': 'application/json',
        [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
        [WEBHOOK_SIGNATURE_HEADER]: signWebhook(this.options.secret, timestamp, body),
      },
      body,
      timeoutMs: this.options.timeoutMs,
      signal,
    });
    if (status < 200 || status >= 300) {
      throw new ProviderError(this.name, `send failed with HTTP ${status}`, { transient: status === 429 || status >= 500, status });
    }
    return { providerRef: idOf(text) };
  }
}

/** The `X-Phone-Auth-Signature` value for `body` sent at `timestamp` (unix seconds): `v1=<hex>`. */
export function signWebhook(secret: string, timestamp: number | string, body: string | Buffer): string {
  return `v1=${hmac(secret, String(timestamp), body).toString('hex')}`;
}

/**
 * For gateways (and tests): true when `signature` holds a `v1=` HMAC of `"<timestamp>.<body>"`
 * under `secret` and `timestamp` (unix seconds) is within `toleranceSeconds` of `nowMs`, which
 * refuses replays of old deliveries. `body` must be the raw bytes received, not re-serialised
 * JSON. Several comma-separated `v1=` values are accepted, for secret rotation.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | string[] | undefined; signature: string | string[] | undefined },
  body: string | Buffer,
  nowMs: number,
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
): boolean {
  const { timestamp, signature } = headers;
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = hmac(secret, timestamp, body);
  return signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1=') && /^[0-9a-f]{64}$/i.test(part.slice(3)))
    .some((part) => timingSafeEqual(Buffer.from(part.slice(3), 'hex'), expected));
}

function hmac(secret: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

function idOf(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown } | null)?.id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

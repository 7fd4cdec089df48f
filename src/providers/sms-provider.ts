import type { Channel } from '../common/channel.js';

export { type Channel, CHANNELS } from '../common/channel.js';

/** What the OTP service asks a provider to deliver. */
export interface OtpMessage {
  verificationId: string;
  /** One of the provider's `channels`. */
  channel: Channel;
  /** E.164. */
  to: string;
  /** The code we generated; a provider that `ownsCodes` ignores it and makes its own. */
  code: string;
  /**
   * The full text carrying `code` in the person's language, written for the channel: the SMS
   * text, the WhatsApp message body, or the words a voice call speaks (digits spaced out).
   * A provider with its own template (WhatsApp Cloud) or its own code (Sinch Verification) ignores it.
   */
  text: string;
  /** BCP 47 language tag the person asked for, if any. */
  locale?: string;
  ttlSeconds: number;
  /** Stable for one verification send; providers that support it use it to deduplicate retries. */
  idempotencyKey: string;
}

export interface OtpDispatch {
  /** The provider's id of the message or of its own verification; check() receives it. */
  providerRef?: string;
}

export interface ProviderCheck {
  /** The channel the code was delivered on (a provider may check each method its own way). */
  channel: Channel;
  providerRef: string;
  /** E.164. */
  to: string;
  code: string;
}

export type ProviderVerdict = 'approved' | 'rejected' | 'expired';

/**
 * The code-delivery provider port (named for its first channel; it serves every channel in
 * `channels`: SMS, WhatsApp, voice). Two kinds fit it: a provider that only delivers our text
 * (`ownsCodes` false: console, outbox, Sinch SMS, webhook), and one that generates and checks
 * the code itself (`ownsCodes` true: Sinch Verification, StartMessaging), for which the
 * service asks check() instead of comparing digests. The service's own limits (expiry,
 * attempts, cooldowns) apply to both.
 *
 * Failures throw ProviderError. An adapter sets no timeout or retry of its own beyond what its
 * SDK needs to honour `timeoutMs`; routing wraps every call in timeout, retry and breaker. An
 * adapter never logs a code, a token or a full phone number (the development-only console
 * provider, whose job is to show the code, aside).
 */
export abstract class SmsProvider {
  abstract readonly name: string;
  abstract readonly ownsCodes: boolean;
  /** The channels it can deliver on; configuration refuses a channel's provider list naming it otherwise. */
  abstract readonly channels: readonly Channel[];

  abstract send(message: OtpMessage, signal?: AbortSignal): Promise<OtpDispatch>;

  /** Only called when `ownsCodes` is true. */
  check(_request: ProviderCheck, _signal?: AbortSignal): Promise<ProviderVerdict> {
    return Promise.reject(new ProviderError(this.name, 'this provider does not check codes', { transient: false }));
  }
}

/**
 * A provider call failed. `transient` says whether the same call may succeed if retried
 * (timeouts, refused connections, 429, 5xx) or not (4xx other than 429, malformed answers).
 * `status` is the HTTP status when there was one. The message never holds a code or a full number.
 */
export class ProviderError extends Error {
  readonly transient: boolean;
  readonly status?: number;

  constructor(
    readonly provider: string,
    message: string,
    options: { transient: boolean; status?: number; cause?: unknown },
  ) {
    super(`${provider}: ${message}`, { cause: options.cause });
    this.name = 'ProviderError';
    this.transient = options.transient;
    this.status = options.status;
  }
}

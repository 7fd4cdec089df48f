/** What the OTP service asks a provider to deliver. */
export interface OtpMessage {
  verificationId: string;
  /** E.164. */
  to: string;
  /**
   * The code we generated and the text that carries it; both absent when the provider
   * generates and checks codes itself (`ownsCodes`).
   */
  code?: string;
  text?: string;
  /** BCP 47 language tag the person asked for, if any. */
  locale?: string;
  ttlSeconds: number;
}

export interface OtpDispatch {
  /** The provider's id of the message or of its own verification, needed by check(). */
  providerRef?: string;
}

export interface ProviderCheck {
  providerRef: string;
  to: string;
  code: string;
}

export type ProviderVerdict = 'approved' | 'rejected' | 'expired';

/**
 * The SMS provider port. Two kinds fit it: a provider that only delivers our text
 * (`ownsCodes` false: console, outbox, Sinch SMS, a webhook), and one that generates and
 * checks the code itself (`ownsCodes` true: Sinch Verification, StartMessaging's OTP API),
 * for which the service stores no code hash and calls check() instead.
 *
 * Failures throw ProviderError; a provider never logs a code or a full phone number
 * (the development-only console provider, whose job is to show the code, aside).
 */
export abstract class SmsProvider {
  abstract readonly name: string;
  abstract readonly ownsCodes: boolean;

  abstract send(message: OtpMessage): Promise<OtpDispatch>;

  /** Only called when `ownsCodes` is true. */
  check(_request: ProviderCheck): Promise<ProviderVerdict> {
    return Promise.reject(new ProviderError(this.name, 'this provider does not check codes'));
  }
}

export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
    this.name = 'ProviderError';
  }
}

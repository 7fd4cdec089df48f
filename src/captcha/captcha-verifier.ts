import type { CaptchaProviderName } from './captcha.config.js';

/** What the service knows of a request's bot check. */
export interface CaptchaCheck {
  /** The widget's token, as the browser sent it. */
  token: string;
  /** The caller's address, which the providers may compare with the solver's. */
  remoteIp?: string;
}

/**
 * The provider's verdict: `passed`, or `failed` with a reason safe to log (the provider's error
 * codes, `low_score`, `action_mismatch`, `hostname_mismatch`; never the token).
 */
export type CaptchaVerdict = { passed: true } | { passed: false; reason: string };

/** The provider could not answer (network, timeout, 5xx, an unreadable body), even after one retry. */
export class CaptchaUnavailableError extends Error {
  constructor(readonly provider: CaptchaProviderName, reason: string, options?: { cause?: unknown }) {
    super(`${provider} siteverify: ${reason}`, options);
    this.name = 'CaptchaUnavailableError';
  }
}

/**
 * Port: checks a CAPTCHA token with its provider's siteverify endpoint, server-side. One call
 * per token: providers accept a token once. Resolves with the verdict (a refused token, a low
 * score, another action or hostname is `failed`); rejects with CaptchaUnavailableError when the
 * provider cannot be reached within its timeout and one retry.
 */
export abstract class CaptchaVerifier {
  abstract readonly provider: CaptchaProviderName;
  abstract verify(check: CaptchaCheck): Promise<CaptchaVerdict>;
}

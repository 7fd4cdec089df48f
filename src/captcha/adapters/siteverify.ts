import { postToProvider, type ProviderAnswer } from '../../providers/adapters/provider-http.js';
import { ProviderError } from '../../providers/sms-provider.js';
import type { CaptchaProviderName } from '../captcha.config.js';
import { CaptchaUnavailableError, type CaptchaVerdict } from '../captcha-verifier.js';

/** The members every provider's siteverify answer shares (Turnstile, hCaptcha and reCAPTCHA alike). */
export interface SiteverifyAnswer {
  success?: unknown;
  'error-codes'?: unknown;
  hostname?: unknown;
  action?: unknown;
  score?: unknown;
}

export interface SiteverifyCall {
  provider: CaptchaProviderName;
  url: string;
  /** The form fields, in the provider's names; empty values are left out. */
  form: Record<string, string | undefined>;
  timeoutMs: number;
}

/**
 * POSTs a form to a siteverify endpoint and reads its JSON answer. A transient failure (no
 * answer in time, network, 5xx, a body that is not JSON) is retried once with the same form
 * (Turnstile's idempotency_key makes the retry safe); a second one throws CaptchaUnavailableError.
 */
export async function siteverify(call: SiteverifyCall): Promise<SiteverifyAnswer> {
  const body = new URLSearchParams(Object.entries(call.form).filter((entry): entry is [string, string] => !!entry[1])).toString();
  let reason = '';
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    try {
      const answer = await postToProvider({
        provider: call.provider,
        operation: 'siteverify',
        url: call.url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        timeoutMs: call.timeoutMs,
      });
      const parsed = readAnswer(answer);
      if (parsed !== undefined) return parsed;
      reason = `HTTP ${answer.status}, no siteverify answer`;
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      reason = error.message;
    }
  }
  throw new CaptchaUnavailableError(call.provider, reason);
}

// Any status that carries a verdict (`success` true or false) is one; anything else is the provider failing.
function readAnswer(answer: ProviderAnswer): SiteverifyAnswer | undefined {
  if (answer.status >= 500 || typeof answer.json !== 'object' || answer.json === null) return undefined;
  const json = answer.json as SiteverifyAnswer;
  return typeof json.success === 'boolean' ? json : undefined;
}

/** `failed` with the provider's error codes, or undefined when the provider said success. */
export function refusalOf(answer: SiteverifyAnswer): CaptchaVerdict | undefined {
  if (answer.success === true) return undefined;
  const codes = Array.isArray(answer['error-codes']) ? answer['error-codes'].filter((code) => typeof code === 'string') : [];
  return { passed: false, reason: codes.length > 0 ? codes.join(',') : 'refused' };
}

/** `hostname_mismatch` when hostnames are expected and the answer names another (or none). */
export function hostnameRefusal(answer: SiteverifyAnswer, expected: ReadonlySet<string>): CaptchaVerdict | undefined {
  if (expected.size === 0) return undefined;
  const hostname = typeof answer.hostname === 'string' ? answer.hostname.toLowerCase() : '';
  return expected.has(hostname) ? undefined : { passed: false, reason: 'hostname_mismatch' };
}

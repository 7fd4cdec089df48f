import { randomUUID } from 'node:crypto';
import { type CaptchaCheck, CaptchaVerifier, type CaptchaVerdict } from '../captcha-verifier.js';
import { hostnameRefusal, refusalOf, siteverify } from './siteverify.js';

export interface TurnstileOptions {
  secret: string;
  verifyUrl: string;
  timeoutMs: number;
  /** Checked when the widget named an action (`data-action`). */
  expectedAction: string;
  expectedHostnames: ReadonlySet<string>;
}

/**
 * Cloudflare Turnstile: POST secret, response, remoteip, idempotency_key (form); the answer has
 * success, error-codes, hostname, action, cdata. One idempotency_key per check makes the retry
 * of a lost answer a repeat of the same validation, not a second use of the token.
 */
export class TurnstileCaptchaVerifier extends CaptchaVerifier {
  readonly provider = 'turnstile';

  constructor(private readonly options: TurnstileOptions) {
    super();
  }

  async verify(check: CaptchaCheck): Promise<CaptchaVerdict> {
    const { secret, verifyUrl, timeoutMs, expectedAction, expectedHostnames } = this.options;
    const answer = await siteverify({
      provider: this.provider,
      url: verifyUrl,
      form: { secret, response: check.token, remoteip: check.remoteIp, idempotency_key: randomUUID() },
      timeoutMs,
    });
    const refused = refusalOf(answer) ?? hostnameRefusal(answer, expectedHostnames);
    if (refused) return refused;
    // An action is returned only when the widget set one; a different one is a token made for another form.
    if (typeof answer.action === 'string' && answer.action !== '' && answer.action !== expectedAction) return { passed: false, reason: 'action_mismatch' };
    return { passed: true };
  }
}

import { type CaptchaCheck, CaptchaVerifier, type CaptchaVerdict } from '../captcha-verifier.js';
import { hostnameRefusal, refusalOf, siteverify } from './siteverify.js';

export interface RecaptchaOptions {
  secret: string;
  verifyUrl: string;
  timeoutMs: number;
  /** The lowest score accepted, 0.0 (bot) to 1.0 (human). */
  minScore: number;
  /** v3 always returns the action `grecaptcha.execute` named: it must be this one. */
  expectedAction: string;
  expectedHostnames: ReadonlySet<string>;
}

/** reCAPTCHA v3: POST secret, response, remoteip (form); the answer has success, score, action, hostname, error-codes. */
export class RecaptchaCaptchaVerifier extends CaptchaVerifier {
  readonly provider = 'recaptcha';

  constructor(private readonly options: RecaptchaOptions) {
    super();
  }

  async verify(check: CaptchaCheck): Promise<CaptchaVerdict> {
    const { secret, verifyUrl, timeoutMs, minScore, expectedAction, expectedHostnames } = this.options;
    const answer = await siteverify({ provider: this.provider, url: verifyUrl, form: { secret, response: check.token, remoteip: check.remoteIp }, timeoutMs });
    const refused = refusalOf(answer) ?? hostnameRefusal(answer, expectedHostnames);
    if (refused) return refused;
    if (answer.action !== expectedAction) return { passed: false, reason: 'action_mismatch' };
    // A v2 token has no score: it is not the v3 check configured.
    if (typeof answer.score !== 'number' || answer.score < minScore) return { passed: false, reason: 'low_score' };
    return { passed: true };
  }
}

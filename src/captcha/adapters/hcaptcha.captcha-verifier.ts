import { type CaptchaCheck, CaptchaVerifier, type CaptchaVerdict } from '../captcha-verifier.js';
import { hostnameRefusal, refusalOf, siteverify } from './siteverify.js';

export interface HCaptchaOptions {
  secret: string;
  /** Sent as `sitekey`: hCaptcha then refuses a token solved for another site key. */
  siteKey: string;
  verifyUrl: string;
  timeoutMs: number;
  expectedHostnames: ReadonlySet<string>;
}

/** hCaptcha: POST secret, response, remoteip, sitekey (form); the answer has success, hostname, error-codes. */
export class HCaptchaCaptchaVerifier extends CaptchaVerifier {
  readonly provider = 'hcaptcha';

  constructor(private readonly options: HCaptchaOptions) {
    super();
  }

  async verify(check: CaptchaCheck): Promise<CaptchaVerdict> {
    const { secret, siteKey, verifyUrl, timeoutMs, expectedHostnames } = this.options;
    const answer = await siteverify({
      provider: this.provider,
      url: verifyUrl,
      form: { secret, response: check.token, remoteip: check.remoteIp, sitekey: siteKey },
      timeoutMs,
    });
    return refusalOf(answer) ?? hostnameRefusal(answer, expectedHostnames) ?? { passed: true };
  }
}

import type { CaptchaProviderName } from './captcha.config.js';

/** Where a provider's browser widget comes from, and what a page's CSP must allow for it. */
export interface CaptchaWidget {
  scriptUrl: string;
  /** Sources by CSP directive (script-src, frame-src...), added to the page's own. */
  sources: Partial<Record<'script-src' | 'frame-src' | 'connect-src' | 'style-src', readonly string[]>>;
}

/**
 * Each provider's widget script (rendered explicitly by the page) and its CSP sources, as the
 * providers document them: Turnstile challenges.cloudflare.com; hCaptcha hcaptcha.com and its
 * subdomains; reCAPTCHA www.google.com/recaptcha/ and www.gstatic.com/recaptcha/.
 */
export function captchaWidgetOf(provider: CaptchaProviderName, siteKey: string): CaptchaWidget {
  switch (provider) {
    case 'turnstile':
      return {
        scriptUrl: 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit',
        sources: { 'script-src': ['https://challenges.cloudflare.com'], 'frame-src': ['https://challenges.cloudflare.com'] },
      };
    case 'hcaptcha': {
      const hcaptcha = ['https://hcaptcha.com', 'https://*.hcaptcha.com'];
      return {
        scriptUrl: 'https://js.hcaptcha.com/1/api.js?render=explicit',
        sources: { 'script-src': hcaptcha, 'frame-src': hcaptcha, 'connect-src': hcaptcha, 'style-src': hcaptcha },
      };
    }
    case 'recaptcha':
      return {
        scriptUrl: `https://www.google.com/recaptcha/api.js?render=${encodeURIComponent(siteKey)}`,
        sources: {
          'script-src': ['https://www.google.com/recaptcha/', 'https://www.gstatic.com/recaptcha/'],
          'frame-src': ['https://www.google.com/recaptcha/', 'https://recaptcha.google.com/recaptcha/'],
        },
      };
  }
}

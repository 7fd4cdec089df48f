// The bot check (CAPTCHA) widget on the login page: which provider, its public site key, its
// script and the origins the page's CSP must allow for it. Read from the environment at run time
// (server only); the page hands the browser just the public part (CaptchaWidgetSettings).

export const CAPTCHA_PROVIDERS = ['turnstile', 'hcaptcha', 'recaptcha'] as const;
export type CaptchaProvider = (typeof CAPTCHA_PROVIDERS)[number];

/** What the browser needs to render the widget; all of it is public. */
export interface CaptchaWidgetSettings {
  provider: CaptchaProvider;
  siteKey: string;
  /** Turnstile's `action` and reCAPTCHA v3's: phone-auth checks it against CAPTCHA_EXPECTED_ACTION. */
  action: string;
  scriptUrl: string;
}

type CspDirective = 'script-src' | 'frame-src' | 'connect-src' | 'style-src';

// Each provider's explicit-render script and CSP sources, as phone-auth's demo page uses them
// (src/captcha/captcha-widget.ts): Turnstile challenges.cloudflare.com; hCaptcha hcaptcha.com and
// its subdomains; reCAPTCHA v3 www.google.com/recaptcha/ and www.gstatic.com/recaptcha/.
const WIDGETS: { [provider in CaptchaProvider]: { scriptUrl: (siteKey: string) => string; sources: Partial<Record<CspDirective, string[]>> } } = {
  turnstile: {
    scriptUrl: () => 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit',
    sources: { 'script-src': ['https://challenges.cloudflare.com'], 'frame-src': ['https://challenges.cloudflare.com'] },
  },
  hcaptcha: {
    scriptUrl: () => 'https://js.hcaptcha.com/1/api.js?render=explicit',
    sources: {
      'script-src': ['https://hcaptcha.com', 'https://*.hcaptcha.com'],
      'frame-src': ['https://hcaptcha.com', 'https://*.hcaptcha.com'],
      'connect-src': ['https://hcaptcha.com', 'https://*.hcaptcha.com'],
      'style-src': ['https://hcaptcha.com', 'https://*.hcaptcha.com'],
    },
  },
  recaptcha: {
    scriptUrl: (siteKey) => `https://www.google.com/recaptcha/api.js?render=${encodeURIComponent(siteKey)}`,
    sources: {
      'script-src': ['https://www.google.com/recaptcha/', 'https://www.gstatic.com/recaptcha/'],
      'frame-src': ['https://www.google.com/recaptcha/', 'https://recaptcha.google.com/recaptcha/'],
    },
  },
};

/**
 * The widget to render, or null when CAPTCHA_PROVIDER is unset (no bot check on this page).
 * A misconfiguration throws: a login page silently without its bot check is worse than none.
 */
export function captchaWidget(): CaptchaWidgetSettings | null {
  const provider = (process.env.CAPTCHA_PROVIDER ?? '').trim();
  if (provider === '') return null;
  if (!(CAPTCHA_PROVIDERS as readonly string[]).includes(provider)) {
    throw new Error(`CAPTCHA_PROVIDER must be one of ${CAPTCHA_PROVIDERS.join(', ')}`);
  }
  const siteKey = (process.env.CAPTCHA_SITE_KEY ?? '').trim();
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(siteKey)) throw new Error(`CAPTCHA_PROVIDER=${provider} needs CAPTCHA_SITE_KEY (letters, digits, - and _)`);
  const action = (process.env.CAPTCHA_ACTION ?? '').trim() || 'login';
  if (!/^[A-Za-z0-9_/]{1,100}$/.test(action)) throw new Error('CAPTCHA_ACTION must be letters, digits, _ and /');
  const name = provider as CaptchaProvider;
  return { provider: name, siteKey, action, scriptUrl: WIDGETS[name].scriptUrl(siteKey) };
}

/**
 * The pages' Content-Security-Policy: scripts from this origin and the ones carrying this
 * request's nonce (Next.js puts it on its own inline scripts), nothing else; with a widget
 * configured, that provider's origins too, and no other provider's. No 'strict-dynamic': it would
 * let any script a trusted one adds run, from anywhere, and the host list would be ignored.
 */
export function contentSecurityPolicy(nonce: string, widget: CaptchaWidgetSettings | null): string {
  const extra = widget ? WIDGETS[widget.provider].sources : {};
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'", `'nonce-${nonce}'`, ...(extra['script-src'] ?? [])],
    ['style-src', "'self'", `'nonce-${nonce}'`, ...(extra['style-src'] ?? [])],
    ['img-src', "'self'", 'data:'],
    ['connect-src', "'self'", ...(extra['connect-src'] ?? [])],
    ['frame-src', ...(extra['frame-src'] ?? ["'none'"])],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map((directive) => directive.join(' ')).join('; ');
}

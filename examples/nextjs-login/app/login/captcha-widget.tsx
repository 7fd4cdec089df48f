'use client';
// The provider's bot-check widget (Turnstile, hCaptcha) or reCAPTCHA v3's invisible scoring,
// loaded from the provider's own script (the CSP allows its origins only when it is configured).
// It hands each token up through onToken; the send forms post it as `captchaToken`.
import { useEffect, useRef, useState } from 'react';
import type { CaptchaWidgetSettings } from '../../lib/captcha';

interface WidgetOptions {
  sitekey: string;
  action?: string;
  callback: (token: string) => void;
  'expired-callback': () => void;
  'error-callback': () => void;
}

/** The part of Turnstile's and hCaptcha's explicit-render API used here (the same for both). */
interface WidgetApi {
  render(container: HTMLElement, options: WidgetOptions): string;
  reset(widgetId: string): void;
  remove(widgetId: string): void;
}

interface RecaptchaV3 {
  ready(callback: () => void): void;
  execute(siteKey: string, options: { action: string }): Promise<string>;
}

declare global {
  interface Window {
    turnstile?: WidgetApi;
    hcaptcha?: WidgetApi;
    grecaptcha?: RecaptchaV3;
  }
}

// reCAPTCHA v3 tokens expire after 2 minutes: a fresh one well before that.
const RECAPTCHA_REFRESH_MS = 90_000;

const scripts = new Map<string, Promise<void>>();

/** One <script> per URL for the page's life, however often the widget mounts. */
function loadScript(src: string): Promise<void> {
  let loading = scripts.get(src);
  if (!loading) {
    loading = new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.async = true;
      script.addEventListener('load', () => resolve());
      script.addEventListener('error', () => {
        scripts.delete(src); // a later mount may try again
        script.remove();
        reject(new Error('the bot check script did not load'));
      });
      document.head.append(script);
    });
    scripts.set(src, loading);
  }
  return loading;
}

interface Props {
  settings: CaptchaWidgetSettings;
  /** A new value after each send that used the token: the widget then makes a new one. */
  resetKey: unknown;
  onToken: (token: string | null) => void;
}

export function CaptchaWidget({ settings, resetKey, onToken }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const reset = useRef<() => void>(() => {});
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let mounted = true;
    let cleanup = () => {};
    loadScript(settings.scriptUrl)
      .then(() => {
        if (!mounted || !container.current) return;
        const started = settings.provider === 'recaptcha' ? startRecaptcha(settings, onToken) : startWidget(settings, container.current, onToken);
        reset.current = started.reset;
        cleanup = started.stop;
      })
      .catch(() => mounted && setFailed(true));
    return () => {
      mounted = false;
      cleanup();
      reset.current = () => {};
      onToken(null);
    };
  }, [settings, onToken]);

  useEffect(() => {
    if (resetKey === undefined) return;
    onToken(null);
    reset.current();
  }, [resetKey, onToken]);

  return (
    <div className="captcha">
      {/* reCAPTCHA v3 shows no widget (only Google's badge): it scores the visit. */}
      <div ref={container} aria-label={settings.provider === 'recaptcha' ? undefined : 'Bot check'} />
      {failed ? <p className="error">The bot check could not load. Check your connection and reload the page.</p> : null}
    </div>
  );
}

function startWidget(settings: CaptchaWidgetSettings, container: HTMLElement, onToken: Props['onToken']) {
  const api = settings.provider === 'turnstile' ? window.turnstile : window.hcaptcha;
  if (!api) throw new Error(`${settings.provider} did not define its API`);
  const drop = () => onToken(null);
  const widgetId = api.render(container, {
    sitekey: settings.siteKey,
    // hCaptcha has no action; Turnstile returns it to siteverify, where phone-auth checks it.
    ...(settings.provider === 'turnstile' ? { action: settings.action } : {}),
    callback: (token) => onToken(token),
    'expired-callback': drop,
    'error-callback': drop,
  });
  return { reset: () => api.reset(widgetId), stop: () => api.remove(widgetId) };
}

function startRecaptcha(settings: CaptchaWidgetSettings, onToken: Props['onToken']) {
  const api = window.grecaptcha;
  if (!api) throw new Error('reCAPTCHA did not define its API');
  let stopped = false;
  const fetchToken = () =>
    api.ready(() => {
      api.execute(settings.siteKey, { action: settings.action }).then(
        (token) => !stopped && onToken(token),
        () => !stopped && onToken(null),
      );
    });
  fetchToken();
  const timer = setInterval(fetchToken, RECAPTCHA_REFRESH_MS);
  return {
    reset: fetchToken,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

'use client';
import { useActionState, useEffect, useMemo, useState } from 'react';
import type { CaptchaWidgetSettings } from '../../lib/captcha';
import { SWITCH_LABELS } from '../../lib/channels';
import { loginAction, type LoginState } from './actions';
import { CaptchaWidget } from './captcha-widget';

/** Seconds until a resend is taken, counted down from each answer's `resendInSeconds`. */
function useResendCountdown(state: LoginState): number {
  const total = state.resendInSeconds ?? 0;
  // A new answer (a new state object) starts a new countdown.
  const resendAtMs = useMemo(() => Date.now() + total * 1000, [state, total]);
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    setNowMs(Date.now());
    if (resendAtMs <= Date.now()) return;
    const timer = setInterval(() => {
      const now = Date.now();
      setNowMs(now);
      if (now >= resendAtMs) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [resendAtMs]);
  // Until the effect has run, nowMs may predate the answer: never show more than it said.
  return Math.min(total, Math.max(0, Math.ceil((resendAtMs - nowMs) / 1000)));
}

export function LoginForm({ captcha }: { captcha: CaptchaWidgetSettings | null }) {
  const [state, action, pending] = useActionState<LoginState, FormData>(loginAction, { step: 'phone' });
  const secondsLeft = useResendCountdown(state);
  const waiting = secondsLeft > 0;
  const later = (label: string) => (waiting ? `${label} (in ${secondsLeft} s)` : label);
  // The bot check: every send (first or resend) posts the widget's current token; one token, one send.
  const [captchaToken, setCaptchaToken] = useState<string | null>(null);
  const captchaField = captcha ? <input type="hidden" name="captchaToken" value={captchaToken ?? ''} /> : null;
  const widget = captcha ? <CaptchaWidget settings={captcha} resetKey={state.captchaUsed ? state : undefined} onToken={setCaptchaToken} /> : null;

  const error = state.error ? (
    <p className="error" role="alert">
      {state.error}
    </p>
  ) : null;

  if (state.step === 'phone') {
    return (
      <form action={action}>
        <input type="hidden" name="intent" value="send" />
        <label htmlFor="phone">Phone number</label>
        <input
          id="phone"
          name="phone"
          type="tel"
          autoComplete="tel"
          placeholder="+91 98765 43210"
          defaultValue={state.phone}
          aria-describedby="phone-hint"
          required
        />
        <p id="phone-hint" className="hint">
          With + and the country code.
        </p>
        {captchaField}
        {widget}
        {error}
        <button type="submit" disabled={pending}>
          {pending ? 'Sending…' : 'Send code'}
        </button>
      </form>
    );
  }

  const otherChannels = (state.channels ?? []).filter((channel) => channel !== state.channel);

  return (
    <>
      {state.notice ? (
        <p className="notice" role="status">
          {state.notice}
        </p>
      ) : null}
      <form action={action}>
        <input type="hidden" name="intent" value="verify" />
        <label htmlFor="code">Code</label>
        <input
          // a new element per answer, so focus and the typed code reset after an error or a new code
          key={state.error ?? state.notice ?? 'code'}
          id="code"
          name="code"
          type="text"
          autoComplete="one-time-code"
          inputMode="numeric"
          pattern="[0-9]*"
          maxLength={10}
          autoFocus
          required
        />
        {error}
        <button type="submit" disabled={pending}>
          {pending ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      {otherChannels.length > 0 ? (
        // Each resends a new code by that channel, once phone-auth takes a resend.
        <div className="channels" role="group" aria-label="Other ways to get the code">
          {otherChannels.map((channel) => (
            <form action={action} key={channel}>
              <input type="hidden" name="intent" value="send" />
              <input type="hidden" name="phone" value={state.phone ?? ''} />
              <input type="hidden" name="channel" value={channel} />
              {captchaField}
              <button type="submit" className="secondary" disabled={pending || waiting}>
                {later(SWITCH_LABELS[channel])}
              </button>
            </form>
          ))}
        </div>
      ) : null}
      <div className="row">
        <form action={action}>
          <input type="hidden" name="intent" value="send" />
          <input type="hidden" name="phone" value={state.phone ?? ''} />
          <input type="hidden" name="channel" value={state.choice ?? 'auto'} />
          {captchaField}
          <button type="submit" className="link" disabled={pending || waiting}>
            {later('Send a new code')}
          </button>
        </form>
        <form action={action}>
          <input type="hidden" name="intent" value="restart" />
          <button type="submit" className="link" disabled={pending}>
            Use another number
          </button>
        </form>
      </div>
      {widget ? (
        <div className="captcha-resend">
          {captcha?.provider === 'recaptcha' ? null : <p className="hint">Pass the bot check to get a new code.</p>}
          {widget}
        </div>
      ) : null}
    </>
  );
}

'use server';
// Server actions: they run on the Next.js server, so the API key stays there. The browser only
// ever sees this app's own pages and its httpOnly cookies.
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { captchaWidget } from '../../lib/captcha';
import { type Channel, type ChannelChoice, choiceFrom, knownChannels, sentNotice } from '../../lib/channels';
import { endUserFrom, PhoneAuthError, problemMessage, sendCode, verifyCode, type TokenSet } from '../../lib/phone-auth';
import { cookieNames, cookieOptions, setSessionCookies } from '../../lib/session';

export interface LoginState {
  step: 'phone' | 'code';
  /** E.164, as phone-auth normalised it. */
  phone?: string;
  /** The channel that carried the code, and every channel this number may use (in phone-auth's order). */
  channel?: Channel;
  channels?: Channel[];
  /** What "Send a new code" asks for: the last choice (`auto` at first, or the channel switched to). */
  choice?: ChannelChoice;
  /** When phone-auth takes a resend, and the seconds to it as of this answer (the form counts them down). */
  resendAvailableAt?: string;
  resendInSeconds?: number;
  notice?: string;
  error?: string;
  /** This answer's send spent the bot check's token (passed or not): the widget makes a new one. */
  captchaUsed?: boolean;
}

export async function loginAction(previous: LoginState, form: FormData): Promise<LoginState> {
  switch (form.get('intent')) {
    case 'send': {
      const captchaToken = captchaTokenFrom(form);
      const sent = await send(previous, String(form.get('phone') ?? '').trim(), choiceFrom(form.get('channel')), captchaToken);
      return withCountdown({ ...sent, captchaUsed: captchaToken !== undefined });
    }
    case 'verify':
      return withCountdown({ ...(await verify(previous, String(form.get('code') ?? '').trim())), captchaUsed: false });
    default:
      (await cookies()).delete(cookieNames().verification);
      return { step: 'phone' };
  }
}

/** Every answer carries the seconds left before a resend, counted on this server, not the browser's clock. */
function withCountdown(state: LoginState): LoginState {
  if (state.step !== 'code' || state.resendAvailableAt === undefined) return state;
  const ms = Date.parse(state.resendAvailableAt) - Date.now();
  return { ...state, resendInSeconds: Number.isNaN(ms) ? 0 : Math.max(0, Math.ceil(ms / 1000)) };
}

/** The CAPTCHA widget's token, when the page rendered one (its hidden field): passed through to phone-auth as is. */
function captchaTokenFrom(form: FormData): string | undefined {
  const token = form.get('captchaToken') ?? form.get('cf-turnstile-response') ?? form.get('h-captcha-response') ?? form.get('g-recaptcha-response');
  return typeof token === 'string' && token !== '' && token.length <= 4096 ? token : undefined;
}

/** A first send (`auto`: phone-auth's order for the country), or a resend by the channel asked for. */
async function send(previous: LoginState, phone: string, choice: ChannelChoice, captchaToken?: string): Promise<LoginState> {
  if (phone === '') return { ...previous, error: 'Enter your phone number.' };
  // Checked here, not only in the browser: phone-auth lets this app's API key through without a
  // token, so a bot posting to this action directly would otherwise skip the check.
  // (`phone` keeps what was typed: React resets the form after the action.)
  if (captchaWidget() && captchaToken === undefined) return { ...previous, phone, notice: undefined, error: 'Complete the bot check first.' };
  const resend = previous.step === 'code';
  try {
    const sent = await sendCode(phone, choice, endUserFrom(await headers()), captchaToken);
    const ttl = Math.max(1, Math.round((Date.parse(sent.expiresAt) - Date.now()) / 1000));
    (await cookies()).set(cookieNames().verification, sent.verificationId, cookieOptions(ttl));
    return {
      step: 'code',
      phone: sent.phone,
      channel: sent.channel,
      channels: knownChannels(sent.channels),
      choice,
      resendAvailableAt: sent.resendAvailableAt,
      notice: sentNotice(sent.channel, sent.phone) + (resend ? ' The code sent before no longer works.' : ''),
    };
  } catch (error) {
    return { ...previous, phone, ...afterFailedResend(error, resend), notice: undefined, error: problemMessage(error, choice) };
  }
}

/** What a refused resend teaches: when to try again, or which channels the number may use. */
function afterFailedResend(error: unknown, resend: boolean): Partial<LoginState> {
  if (!resend || !(error instanceof PhoneAuthError)) return {};
  const { code, retryAfterSeconds, channels } = error.problem;
  if (code === 'resend_too_soon' && typeof retryAfterSeconds === 'number') {
    return { resendAvailableAt: new Date(Date.now() + retryAfterSeconds * 1000).toISOString() };
  }
  if (code === 'channel_unavailable') return { channels: knownChannels(channels) };
  return {};
}

async function verify(previous: LoginState, code: string): Promise<LoginState> {
  const jar = await cookies();
  const names = cookieNames();
  const verificationId = jar.get(names.verification)?.value;
  if (!verificationId) return { step: 'phone', phone: previous.phone, error: 'That code has expired. Ask for a new one.' };
  if (code === '') return { ...previous, notice: undefined, error: 'Enter the code you were sent.' };
  let tokens: TokenSet;
  try {
    tokens = await verifyCode(verificationId, code, endUserFrom(await headers()));
  } catch (error) {
    return { ...previous, notice: undefined, error: problemMessage(error) };
  }
  jar.delete(names.verification);
  setSessionCookies(jar, tokens);
  redirect('/dashboard'); // outside the try: redirect() works by throwing
}

'use server';
// Server actions: they run on the Next.js server, so the API key stays there. The browser only
// ever sees this app's own pages and its httpOnly cookies.
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { endUserFrom, problemMessage, sendCode, verifyCode, type TokenSet } from '../../lib/phone-auth';
import { cookieNames, cookieOptions, setSessionCookies } from '../../lib/session';

export interface LoginState {
  step: 'phone' | 'code';
  /** E.164, as phone-auth normalised it. */
  phone?: string;
  notice?: string;
  error?: string;
}

export async function loginAction(previous: LoginState, form: FormData): Promise<LoginState> {
  switch (form.get('intent')) {
    case 'send':
      return send(previous, String(form.get('phone') ?? '').trim());
    case 'verify':
      return verify(previous, String(form.get('code') ?? '').trim());
    default:
      (await cookies()).delete(cookieNames().verification);
      return { step: 'phone' };
  }
}

async function send(previous: LoginState, phone: string): Promise<LoginState> {
  if (phone === '') return { ...previous, error: 'Enter your phone number.' };
  try {
    const sent = await sendCode(phone, endUserFrom(await headers()));
    const ttl = Math.max(1, Math.round((Date.parse(sent.expiresAt) - Date.now()) / 1000));
    (await cookies()).set(cookieNames().verification, sent.verificationId, cookieOptions(ttl));
    return { step: 'code', phone: sent.phone, notice: `We sent a code to ${sent.phone}.` };
  } catch (error) {
    return { ...previous, notice: undefined, error: problemMessage(error) };
  }
}

async function verify(previous: LoginState, code: string): Promise<LoginState> {
  const jar = await cookies();
  const names = cookieNames();
  const verificationId = jar.get(names.verification)?.value;
  if (!verificationId) return { step: 'phone', phone: previous.phone, error: 'That code has expired. Ask for a new one.' };
  if (code === '') return { ...previous, notice: undefined, error: 'Enter the code from the SMS.' };
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

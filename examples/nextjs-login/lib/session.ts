// The session's cookies: both tokens httpOnly (scripts never see them), Secure and __Host-
// prefixed unless COOKIE_SECURE=false, SameSite=Lax (sent on top-level navigations to this
// site, not on cross-site subrequests or form posts).
import { cookieSecure } from './config';
import type { TokenSet } from './phone-auth';

export function cookieNames() {
  const prefix = cookieSecure() ? '__Host-' : '';
  return {
    access: `${prefix}pa_access`,
    refresh: `${prefix}pa_refresh`,
    /** The open verification's id, between "send code" and "verify". */
    verification: `${prefix}pa_verification`,
  };
}

export interface CookieOptions {
  httpOnly: true;
  secure: boolean;
  sameSite: 'lax';
  path: '/';
  maxAge: number;
}

/** Both `cookies()` from next/headers and `NextResponse.cookies` have this method. */
export interface CookieWriter {
  set(name: string, value: string, options: CookieOptions): unknown;
}

export function cookieOptions(maxAge: number): CookieOptions {
  return { httpOnly: true, secure: cookieSecure(), sameSite: 'lax', path: '/', maxAge };
}

/**
 * The access cookie lives as long as the access token, so an expired token simply goes
 * missing and the proxy refreshes it; the refresh cookie lives as long as the session may.
 */
export function setSessionCookies(jar: CookieWriter, tokens: TokenSet): void {
  const names = cookieNames();
  jar.set(names.access, tokens.accessToken, cookieOptions(tokens.expiresIn));
  jar.set(names.refresh, tokens.refreshToken, cookieOptions(tokens.refreshExpiresIn));
}

/** Expires every cookie of ours (with the same attributes, which a __Host- cookie requires). */
export function clearSessionCookies(jar: CookieWriter): void {
  for (const name of Object.values(cookieNames())) jar.set(name, '', cookieOptions(0));
}

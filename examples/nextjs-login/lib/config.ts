// Settings, read from the environment at run time (nothing here is baked in by `next build`).
// Server-only: none of these names start with NEXT_PUBLIC_, so none of them reach the browser.

/** phone-auth's base URL: where to call it, and its PUBLIC_URL, the tokens' issuer. */
export function phoneAuthUrl(): string {
  return (process.env.PHONE_AUTH_URL || 'http://localhost:3000').replace(/\/+$/, '');
}

/** The `aud` the access tokens must carry: phone-auth's JWT_AUDIENCE (default its PUBLIC_URL). */
export function phoneAuthAudience(): string {
  return process.env.PHONE_AUTH_AUDIENCE || phoneAuthUrl();
}

/** This app's API key (`npm run apikey -- nextjs` in phone-auth). */
export function phoneAuthApiKey(): string {
  const key = process.env.PHONE_AUTH_API_KEY;
  if (!key) throw new Error('PHONE_AUTH_API_KEY is not set: run `npm run apikey -- nextjs` in phone-auth.');
  return key;
}

/** Secure cookies (and the __Host- prefix) unless COOKIE_SECURE=false, for plain http://localhost. */
export function cookieSecure(): boolean {
  return !['false', '0', 'no', 'off'].includes((process.env.COOKIE_SECURE ?? '').trim().toLowerCase());
}

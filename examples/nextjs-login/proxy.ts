// Next 16's route guard (formerly middleware.ts). Runs on the server before every page renders:
// it gives the page its Content-Security-Policy (a fresh nonce per request, the bot check's
// origins when one is configured). For /dashboard it also checks the session: a valid access
// token passes; an expired or missing one is refreshed once with the refresh token (both
// cookies rotate); anything else goes to /login.
import { NextResponse, type NextRequest } from 'next/server';
import { captchaWidget, contentSecurityPolicy } from './lib/captcha';
import { PhoneAuthError, refreshSession, type TokenSet } from './lib/phone-auth';
import { clearSessionCookies, cookieNames, setSessionCookies } from './lib/session';
import { checkAccessToken } from './lib/tokens';

export async function proxy(request: NextRequest) {
  // Next.js reads the nonce from the request's CSP header and puts it on the scripts it renders.
  const csp = contentSecurityPolicy(Buffer.from(crypto.randomUUID()).toString('base64'), captchaWidget());
  request.headers.set('content-security-policy', csp);
  const response = isDashboard(request) ? await guard(request) : NextResponse.next({ request: { headers: request.headers } });
  response.headers.set('content-security-policy', csp);
  return response;
}

async function guard(request: NextRequest): Promise<NextResponse> {
  const names = cookieNames();
  const check = await checkAccessToken(request.cookies.get(names.access)?.value);
  if (check.ok) return NextResponse.next({ request: { headers: request.headers } });
  if (check.reason === 'unavailable') return unavailable();

  const refreshToken = request.cookies.get(names.refresh)?.value;
  if (!refreshToken) return toLogin(request);
  let tokens: TokenSet;
  try {
    tokens = await refreshSession(refreshToken);
  } catch (error) {
    if (error instanceof PhoneAuthError && (error.status >= 500 || error.code === 'rate_limited' || error.code === 'network_error')) return unavailable();
    // invalid_refresh_token, refresh_token_reused: the session is over.
    return toLogin(request);
  }

  // This request renders with the new tokens, and the browser gets them.
  request.cookies.set(names.access, tokens.accessToken);
  request.cookies.set(names.refresh, tokens.refreshToken);
  const response = NextResponse.next({ request: { headers: request.headers } });
  setSessionCookies(response.cookies, tokens);
  return response;
}

function isDashboard(request: NextRequest): boolean {
  const path = request.nextUrl.pathname;
  return path === '/dashboard' || path.startsWith('/dashboard/');
}

function toLogin(request: NextRequest): NextResponse {
  // A server action (sign out) posted from a stale page: let it run; it clears the cookies and
  // redirects by itself, which a redirect answered to its fetch here could not do.
  if (request.method === 'POST' && request.headers.has('next-action')) return NextResponse.next({ request: { headers: request.headers } });
  const response = NextResponse.redirect(new URL('/login', request.url), 303);
  if (Object.values(cookieNames()).some((name) => request.cookies.has(name))) clearSessionCookies(response.cookies);
  return response;
}

function unavailable(): NextResponse {
  // Not the person's fault: keep their cookies and let them retry.
  return new NextResponse('Sign-in cannot be checked right now. Try again in a moment.', {
    status: 503,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5', 'cache-control': 'no-store' },
  });
}

export const config = {
  // Every page (the session check only acts on /dashboard), not Next's static files.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};

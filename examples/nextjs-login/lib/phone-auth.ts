// phone-auth's HTTP API, called from the server only (server actions and the proxy).
import { isIP } from 'node:net';
import { type Channel, type ChannelChoice, channelUnavailableMessage, knownChannels } from './channels';
import { phoneAuthApiKey, phoneAuthUrl } from './config';

/** phone-auth's error body: application/problem+json (RFC 9457) with a stable `code`. */
export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  attemptsRemaining?: number;
  retryAfterSeconds?: number;
  /** On `channel_unavailable`: the channels this number may use. */
  channels?: Channel[];
}

export class PhoneAuthError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? problem.code);
  }
}

export interface SentCode {
  verificationId: string;
  status: string;
  phone: string;
  /** The channel that carried the code (with `auto`, the first of the country's order that worked). */
  channel: Channel;
  /** The channels this number may use, in its country's order: a resend may name another. */
  channels: Channel[];
  expiresAt: string;
  resendAvailableAt: string;
  attemptsRemaining: number;
}

export interface TokenSet {
  tokenType: string;
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  sessionId: string;
  user: { id: string; phone: string };
}

/** The person behind the request, passed on so phone-auth's per-IP limits count them, not us. */
export interface EndUser {
  ip?: string;
  userAgent?: string;
}

/**
 * The end user from the incoming request's headers. `next start` fills X-Forwarded-For with the
 * connection's address when the request has none; a reverse proxy in front appends the address
 * it saw. The rightmost entry is the one the nearest hop added: earlier ones the client can
 * write itself.
 */
export function endUserFrom(headers: Headers): EndUser {
  const forwarded = headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
  return {
    ip: forwarded && isIP(forwarded) ? forwarded : undefined,
    userAgent: headers.get('user-agent') ?? undefined,
  };
}

const TIMEOUT_MS = 10_000;

async function call<T>(path: string, init: { body?: unknown; headers?: Record<string, string> }): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${phoneAuthUrl()}${path}`, {
      method: 'POST',
      headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new PhoneAuthError({ status: 503, code: 'unreachable', detail: 'The sign-in service cannot be reached right now. Try again in a moment.' });
  }
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const problem = (typeof body === 'object' && body !== null ? body : {}) as Partial<Problem>;
    throw new PhoneAuthError({ ...problem, status: response.status, code: problem.code ?? 'unknown' });
  }
  return body as T;
}

function clientHeaders(user: EndUser): Record<string, string> {
  const headers: Record<string, string> = { 'x-api-key': phoneAuthApiKey() };
  if (user.ip) headers['x-end-user-ip'] = user.ip;
  if (user.userAgent) headers['user-agent'] = user.userAgent.slice(0, 256);
  return headers;
}

/**
 * POST /v1/otp/send with the API key, on behalf of the end user. A resend to the same phone keeps
 * the verification and makes a new code (the one sent before stops working), by `channel`.
 */
export function sendCode(phone: string, channel: ChannelChoice, user: EndUser, captchaToken?: string): Promise<SentCode> {
  // The browser's CAPTCHA token, relayed: with it phone-auth checks the bot check for this API-key client too.
  return call('/v1/otp/send', { body: { phone, channel, ...(captchaToken ? { captchaToken } : {}) }, headers: clientHeaders(user) });
}

/** POST /v1/otp/verify with the API key: the session and its tokens. */
export function verifyCode(verificationId: string, code: string, user: EndUser): Promise<TokenSet> {
  return call('/v1/otp/verify', { body: { verificationId, code }, headers: clientHeaders(user) });
}

/** POST /v1/sessions/refresh: a new token pair; the presented refresh token is spent. */
export function refreshSession(refreshToken: string): Promise<TokenSet> {
  return call('/v1/sessions/refresh', { body: { refreshToken } });
}

/** POST /v1/sessions/logout: the session ends at phone-auth. */
export function endSession(accessToken: string): Promise<void> {
  return call('/v1/sessions/logout', { headers: { authorization: `Bearer ${accessToken}` } });
}

/**
 * The sentence to show a person for a problem: phone-auth's `detail`, plus tries left; for a
 * channel not on offer (`requested`, on a send), the channels the number may use.
 */
export function problemMessage(error: unknown, requested?: ChannelChoice): string {
  if (!(error instanceof PhoneAuthError)) return 'Something went wrong. Try again.';
  const { code, detail, title, attemptsRemaining, channels } = error.problem;
  if (code === 'channel_unavailable' && requested) return channelUnavailableMessage(requested, knownChannels(channels));
  const text = detail ?? title ?? 'Something went wrong. Try again.';
  if (code === 'invalid_code' && typeof attemptsRemaining === 'number') {
    return `${text} ${attemptsRemaining} ${attemptsRemaining === 1 ? 'try' : 'tries'} left.`;
  }
  return text;
}

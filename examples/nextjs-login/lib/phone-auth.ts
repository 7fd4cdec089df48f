// phone-auth's HTTP API, called from the server only (server actions and the proxy), through
// its typed client SDK (@phone-auth/client, this repository's packages/client).
import { isIP } from 'node:net';
import { type CallOptions, PhoneAuthClient, PhoneAuthError, type SendCodeResponse, type StoredTokens, type Tokens } from '@phone-auth/client';
import { type ChannelChoice, channelUnavailableMessage, knownChannels } from './channels';
import { phoneAuthApiKey, phoneAuthUrl } from './config';

/** phone-auth's error, as the client SDK raises it: the problem+json body, its `code`, `status`, `retryAfter`. */
export { PhoneAuthError };

export type SentCode = SendCodeResponse;
export type TokenSet = Tokens;

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

/**
 * A client for one call. The tokens live in this app's cookies, not in the client: the ones a call
 * needs are handed to it as its storage, and what it answers goes back into the cookies.
 */
function client(tokens: StoredTokens | null = null): PhoneAuthClient {
  let kept = tokens;
  return new PhoneAuthClient({
    baseUrl: phoneAuthUrl(),
    storage: { get: () => kept, set: (next) => void (kept = next) },
    // A Node server: refreshes of one session take turns in this process.
    locks: null,
  });
}

/** The SDK's call, with a time limit; a timeout is the service being unreachable. */
async function call<T>(run: (options: CallOptions) => Promise<T>, headers?: Record<string, string>): Promise<T> {
  try {
    return await run({ headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    if (error instanceof PhoneAuthError) throw error;
    throw PhoneAuthError.local('network_error', 0, 'The sign-in service cannot be reached right now. Try again in a moment.');
  }
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
  return call((options) => client().sendCode({ phone, channel, ...(captchaToken ? { captchaToken } : {}) }, options), clientHeaders(user));
}

/** POST /v1/otp/verify with the API key: the session and its tokens. */
export function verifyCode(verificationId: string, code: string, user: EndUser): Promise<TokenSet> {
  return call((options) => client().verifyCode({ verificationId, code }, options), clientHeaders(user));
}

/** The session a refresh token belongs to: refresh tokens are `<sessionId>.<secret>`. */
function sessionOf(refreshToken: string): StoredTokens {
  return { refreshToken, sessionId: refreshToken.slice(0, Math.max(0, refreshToken.indexOf('.'))) };
}

/** POST /v1/sessions/refresh: a new token pair; the presented refresh token is spent. */
export function refreshSession(refreshToken: string): Promise<TokenSet> {
  return call(() => client(sessionOf(refreshToken)).refresh());
}

/**
 * POST /v1/sessions/logout: the session ends at phone-auth. Without the access token (its cookie
 * expired with it) the client refreshes first; a session already over counts as ended.
 */
export function endSession(refreshToken: string, accessToken?: string): Promise<void> {
  return call((options) => client({ ...sessionOf(refreshToken), accessToken }).logout(options));
}

/**
 * The sentence to show a person for a problem: phone-auth's `detail`, plus tries left; for a
 * channel not on offer (`requested`, on a send), the channels the number may use.
 */
export function problemMessage(error: unknown, requested?: ChannelChoice): string {
  if (!(error instanceof PhoneAuthError)) return 'Something went wrong. Try again.';
  const { code, detail, title, channels } = error.problem;
  const { attemptsRemaining } = error;
  if (code === 'channel_unavailable' && requested) return channelUnavailableMessage(requested, knownChannels(channels));
  const text = detail ?? title ?? 'Something went wrong. Try again.';
  if (code === 'invalid_code' && typeof attemptsRemaining === 'number') {
    return `${text} ${attemptsRemaining} ${attemptsRemaining === 1 ? 'try' : 'tries'} left.`;
  }
  return text;
}

import { PhoneAuthError, retryAfterSeconds } from './errors.js';
import { type LockManagerLike, webLocks, withLocalLock } from './refresh-lock.js';
import { MemoryTokenStorage, type TokenStorage } from './token-storage.js';
import type {
  ChannelsResponse,
  ProblemDetails,
  SendCodeRequest,
  SendCodeResponse,
  SessionList,
  StoredTokens,
  Tokens,
  VerificationStatus,
  VerifyCodeRequest,
  VerifyCodeResponse,
} from './types.js';

export interface PhoneAuthClientOptions {
  /** phone-auth's PUBLIC_URL (`https://auth.example.com`); `''` in a page served by phone-auth itself. */
  baseUrl: string;
  /** Where the tokens live; memory by default. */
  storage?: TokenStorage;
  /** Headers sent with every request: an internal service's `X-API-Key`, say. */
  headers?: Record<string, string>;
  /** The fetch to call; the global one by default (browsers, Node 20+). */
  fetch?: typeof fetch;
  /**
   * The lock that makes refreshes of one session take turns. By default the Web Locks API
   * (`navigator.locks`: every tab of the origin) where there is one, otherwise a lock of this
   * process. `null` forces the in-process lock.
   */
  locks?: LockManagerLike | null;
}

/** What any call may add: its own headers (X-End-User-IP…), an abort signal. */
export interface CallOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface SendCodeOptions extends CallOptions {
  /** Idempotency-Key: a retried send with the same key is answered once. */
  idempotencyKey?: string;
}

interface RequestSpec extends CallOptions {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  accessToken?: string;
}

/** The refresh answers that mean the presented refresh token will never work again. */
const DEAD_SESSION_CODES = new Set(['invalid_refresh_token', 'refresh_token_reused']);

/**
 * phone-auth's public API for frontends and services: send and verify a code, then calls in the
 * session (refresh, logout, sessions) with its tokens kept in `storage`. A call answered 401 is
 * refreshed and retried once; refreshes of one session never overlap (see `refresh`).
 */
export class PhoneAuthClient {
  private readonly baseUrl: string;
  private readonly storage: TokenStorage;
  private readonly fetchFn: typeof fetch;
  private readonly locks: LockManagerLike | undefined;
  /** The refresh in flight per session: callers that come while it runs get its result. */
  private readonly refreshing = new Map<string, Promise<Tokens>>();

  constructor(private readonly options: PhoneAuthClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.storage = options.storage ?? new MemoryTokenStorage();
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.locks = options.locks === null ? undefined : (options.locks ?? webLocks());
  }

  /** `POST /v1/otp/send`: a code to `phone` (a resend to the same phone keeps the verification). */
  sendCode(body: SendCodeRequest, options: SendCodeOptions = {}): Promise<SendCodeResponse> {
    const headers = options.idempotencyKey ? { ...options.headers, 'idempotency-key': options.idempotencyKey } : options.headers;
    return this.request({ method: 'POST', path: '/v1/otp/send', body, ...options, headers });
  }

  /** `POST /v1/otp/verify`: on the right code, the session's tokens, which the client keeps. */
  async verifyCode(body: VerifyCodeRequest, options: CallOptions = {}): Promise<VerifyCodeResponse> {
    const answer = await this.request<VerifyCodeResponse>({ method: 'POST', path: '/v1/otp/verify', body, ...options });
    const { status: _status, ...tokens } = answer;
    await this.storage.set(tokens);
    return answer;
  }

  /** `GET /v1/otp/channels`: the channels a send may name for `country` (ISO 3166-1), in `auto`'s order. */
  channels(country?: string, options: CallOptions = {}): Promise<ChannelsResponse> {
    const query = country ? `?country=${encodeURIComponent(country)}` : '';
    return this.request({ method: 'GET', path: `/v1/otp/channels${query}`, ...options });
  }

  /** `GET /v1/otp/verifications/:id`: where a verification stands. */
  verification(verificationId: string, options: CallOptions = {}): Promise<VerificationStatus> {
    return this.request({ method: 'GET', path: `/v1/otp/verifications/${encodeURIComponent(verificationId)}`, ...options });
  }

  /** The tokens in storage, or null when signed out. */
  async tokens(): Promise<StoredTokens | null> {
    return (await this.storage.get()) ?? null;
  }

  /**
   * `POST /v1/sessions/refresh`: a new token pair, kept in storage. Single-flight per session:
   * concurrent calls share one request, and a refresh that waited for the lock while another tab
   * or client refreshed takes that result instead of spending a refresh token again (which the
   * service would take for a stolen token and end the session).
   */
  async refresh(): Promise<Tokens> {
    return this.refreshFrom(await this.requireTokens());
  }

  /** `POST /v1/sessions/logout`: ends the session at the service, then forgets its tokens. */
  async logout(options: CallOptions = {}): Promise<void> {
    const tokens = await this.storage.get();
    if (!tokens) return;
    try {
      await this.authorized({ method: 'POST', path: '/v1/sessions/logout', ...options });
    } catch (error) {
      // A session already over is logged out all the same.
      if (!(error instanceof PhoneAuthError) || error.status !== 401) throw error;
    } finally {
      await this.forget(tokens.sessionId);
    }
  }

  /** `GET /v1/sessions`: the user's live sessions (`current` marks this one). */
  sessions(options: CallOptions = {}): Promise<SessionList> {
    return this.authorized({ method: 'GET', path: '/v1/sessions', ...options });
  }

  /** `DELETE /v1/sessions/:id`: ends one of the user's own sessions. */
  async revokeSession(sessionId: string, options: CallOptions = {}): Promise<void> {
    await this.authorized({ method: 'DELETE', path: `/v1/sessions/${encodeURIComponent(sessionId)}`, ...options });
  }

  /** A call with the access token; on 401, one refresh and one retry with the new token. */
  private async authorized<T>(spec: Omit<RequestSpec, 'accessToken'>): Promise<T> {
    const stored = await this.requireTokens();
    // No access token kept (a cookie that expired with it, say): refresh first.
    if (!stored.accessToken) return this.request<T>({ ...spec, accessToken: (await this.refreshFrom(stored)).accessToken });
    try {
      return await this.request<T>({ ...spec, accessToken: stored.accessToken });
    } catch (error) {
      if (!(error instanceof PhoneAuthError) || error.status !== 401) throw error;
      const renewed = await this.refreshFrom(stored);
      return this.request<T>({ ...spec, accessToken: renewed.accessToken });
    }
  }

  /** Refreshes the session whose tokens the caller last saw as `seen`. */
  private refreshFrom(seen: StoredTokens): Promise<Tokens> {
    const inFlight = this.refreshing.get(seen.sessionId);
    if (inFlight) return inFlight;
    const lockName = `phone-auth:refresh:${seen.sessionId}`;
    const run = () => this.refreshHoldingLock(seen);
    const refresh = (this.locks ? this.locks.request(lockName, run) : withLocalLock(lockName, run)).finally(() => {
      if (this.refreshing.get(seen.sessionId) === refresh) this.refreshing.delete(seen.sessionId);
    });
    this.refreshing.set(seen.sessionId, refresh);
    return refresh;
  }

  private async refreshHoldingLock(seen: StoredTokens): Promise<Tokens> {
    // Storage again, now that no one else refreshes this session: whoever held the lock before
    // may have rotated the pair we saw, and then its result is ours.
    const current = await this.storage.get();
    if (!current || current.sessionId !== seen.sessionId) throw PhoneAuthError.local('not_signed_in', 401, 'This session is over. Sign in again.');
    if (current.refreshToken !== seen.refreshToken && isTokens(current)) return current;
    try {
      const tokens = await this.request<Tokens>({ method: 'POST', path: '/v1/sessions/refresh', body: { refreshToken: current.refreshToken } });
      await this.storage.set(tokens);
      return tokens;
    } catch (error) {
      if (error instanceof PhoneAuthError && DEAD_SESSION_CODES.has(error.code)) await this.forget(seen.sessionId);
      throw error;
    }
  }

  private async requireTokens(): Promise<StoredTokens> {
    const tokens = await this.storage.get();
    if (!tokens) throw PhoneAuthError.local('not_signed_in', 401, 'Not signed in.');
    return tokens;
  }

  /** Clears storage, unless it already holds another session (a new login meanwhile). */
  private async forget(sessionId: string): Promise<void> {
    const current = await this.storage.get();
    if (current && current.sessionId === sessionId) await this.storage.set(null);
  }

  private async request<T>(spec: RequestSpec): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...this.options.headers, ...spec.headers };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (spec.accessToken) headers.authorization = `Bearer ${spec.accessToken}`;
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}${spec.path}`, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: spec.signal,
      });
    } catch (error) {
      if (spec.signal?.aborted) throw error;
      throw PhoneAuthError.local('network_error', 0, 'The sign-in service cannot be reached.');
    }
    if (response.status === 204) return undefined as T;
    const body = await readJson(response);
    if (response.ok && body !== undefined) return body as T;
    if (response.ok) throw PhoneAuthError.local('invalid_response', response.status, 'The sign-in service answered something unexpected.');
    throw new PhoneAuthError(problemOf(response, body), retryAfterSeconds(response.headers.get('retry-after'), Date.now()));
  }
}

/** A whole pair (as verify and refresh answer it), not only what a cookie jar could keep. */
function isTokens(tokens: StoredTokens): tokens is Tokens {
  return typeof tokens.accessToken === 'string' && typeof tokens.expiresIn === 'number' && tokens.user !== undefined;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** The body when it is a problem; otherwise a problem made from the status (a proxy's HTML error page, say). */
function problemOf(response: Response, body: unknown): ProblemDetails {
  const problem = typeof body === 'object' && body !== null ? (body as Partial<ProblemDetails>) : {};
  const fallback = response.statusText || `HTTP ${response.status}`;
  return {
    ...problem,
    type: problem.type ?? 'about:blank',
    title: problem.title ?? fallback,
    detail: problem.detail ?? problem.title ?? fallback,
    status: response.status,
    code: problem.code ?? 'invalid_response',
  };
}

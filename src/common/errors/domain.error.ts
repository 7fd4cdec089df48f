/** Stable, snake_case error codes of the HTTP contract (DESIGN.md). */
export const ERROR_CODES = [
  'invalid_phone',
  'invalid_code',
  'verification_not_found',
  'verification_expired',
  'max_attempts_reached',
  'resend_too_soon',
  'rate_limited',
  'country_not_allowed',
  'number_type_not_allowed',
  'channel_unavailable',
  'provider_unavailable',
  'store_unavailable',
  'invalid_refresh_token',
  'refresh_token_reused',
  'unsupported_grant_type',
  'unauthorized',
  'forbidden',
  'user_banned',
  'phone_in_use',
  'idempotency_conflict',
  'idempotency_in_flight',
  'validation_failed',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'internal_error',
  'captcha_required',
  'captcha_failed',
  'captcha_unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const SERVER_ERRORS = new Set<ErrorCode>(['provider_unavailable', 'store_unavailable', 'internal_error', 'captcha_unavailable']);

/**
 * A failure the client can act on. `detail` is safe to show to the client; `extensions` become
 * members of the problem+json body (`attemptsRemaining`, `retryAfterSeconds`, `errors`).
 * `retryAfterSeconds` also becomes the Retry-After header.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extensions: Record<string, unknown> & { retryAfterSeconds?: number } = {},
    options?: { cause?: unknown },
  ) {
    // A client error is an answer, not a bug: capturing its stack trace costs more than the
    // rest of a wrong-code verify. Server errors (cause set, or 5xx codes) keep theirs.
    const limit = Error.stackTraceLimit;
    if (options?.cause === undefined && !SERVER_ERRORS.has(code)) Error.stackTraceLimit = 0;
    super(`${code}: ${detail}`, options);
    Error.stackTraceLimit = limit;
    this.name = 'DomainError';
  }
}

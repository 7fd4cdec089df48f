import type { ClientErrorCode, ErrorCode, ProblemDetails } from './types.js';

/**
 * Every failed call rejects with this: the service's problem+json (`problem`), its stable `code`,
 * the HTTP `status` (0 when no answer came) and, on 429 and 503, `retryAfter` in seconds.
 */
export class PhoneAuthError extends Error {
  override readonly name = 'PhoneAuthError';
  readonly status: number;
  readonly code: ErrorCode | ClientErrorCode;
  readonly problem: ProblemDetails;
  /** Seconds to wait before trying again (Retry-After, or the body's retryAfterSeconds). */
  readonly retryAfter: number | undefined;
  /** On `invalid_code` and `max_attempts_reached`. */
  readonly attemptsRemaining: number | undefined;

  constructor(problem: ProblemDetails, retryAfter?: number) {
    super(problem.detail ?? problem.title ?? problem.code);
    this.problem = problem;
    this.status = problem.status;
    this.code = problem.code;
    this.retryAfter = retryAfter ?? (typeof problem.retryAfterSeconds === 'number' ? problem.retryAfterSeconds : undefined);
    this.attemptsRemaining = typeof problem.attemptsRemaining === 'number' ? problem.attemptsRemaining : undefined;
  }

  /** A failure of the client's own, shaped like the service's problems. */
  static local(code: ClientErrorCode, status: number, detail: string): PhoneAuthError {
    return new PhoneAuthError({ type: 'about:blank', title: detail, status, detail, code });
  }
}

/** Retry-After in seconds: delay-seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

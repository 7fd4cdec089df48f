import { StepUpError, TokenError, VerifierUnavailableError } from './errors.js';

/** The HTTP answer an adapter gives for a refused request: the same in every framework. */
export interface Rejection {
  status: 401 | 403 | 503;
  headers: Record<string, string>;
  body: { error: string; message: string };
}

export const INVALID_TOKEN_MESSAGE = 'The access token is missing, invalid or expired.';
export const UNAVAILABLE_MESSAGE = 'Cannot validate access tokens right now.';

/**
 * RFC 6750 3: a request without a token gets a bare `Bearer` challenge (no error code); any
 * refused token gets `error="invalid_token"`.
 */
export function challengeFor(error: TokenError): string {
  return error.reason === 'missing_token' ? 'Bearer' : 'Bearer error="invalid_token"';
}

/**
 * TokenError → 401 with a challenge, StepUpError → 403, VerifierUnavailableError → 503; anything
 * else is a bug and undefined (the adapter rethrows it). The body never says which check failed:
 * that helps an attacker more than a client. Log `error.reason` instead.
 */
export function rejection(error: unknown): Rejection | undefined {
  if (error instanceof TokenError) {
    return { status: 401, headers: { 'www-authenticate': challengeFor(error) }, body: { error: 'invalid_token', message: INVALID_TOKEN_MESSAGE } };
  }
  if (error instanceof StepUpError) return { status: 403, headers: {}, body: { error: 'step_up_required', message: error.message } };
  if (error instanceof VerifierUnavailableError) {
    return { status: 503, headers: { 'retry-after': '5' }, body: { error: 'temporarily_unavailable', message: UNAVAILABLE_MESSAGE } };
  }
  return undefined;
}

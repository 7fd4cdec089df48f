import type { DomainError, ErrorCode } from './domain.error.js';

/** The error codes of RFC 6749 §5.2 that the OAuth endpoints (introspection, token) answer. */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'temporarily_unavailable',
  'server_error',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

/** The body of an OAuth error answer (RFC 6749 §5.2), `application/json`. */
export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
}

/** The realm of the `WWW-Authenticate: Basic` challenge on a 401 `invalid_client`. */
export const OAUTH_REALM = 'phone-auth';

/**
 * One place maps every stable code to its OAuth error and HTTP status on the OAuth endpoints; the
 * switch is checked for exhaustiveness. Codes that only the login routes raise cannot reach an
 * OAuth endpoint: they would be a bug there, answered as `server_error`.
 */
export function oauthErrorOf(code: ErrorCode): { status: number; error: OAuthErrorCode } {
  switch (code) {
    case 'validation_failed':
      return { status: 400, error: 'invalid_request' };
    case 'payload_too_large':
      return { status: 413, error: 'invalid_request' };
    case 'unsupported_media_type':
      return { status: 415, error: 'invalid_request' };
    case 'method_not_allowed':
      return { status: 405, error: 'invalid_request' };
    case 'not_found':
      return { status: 404, error: 'invalid_request' };
    // RFC 6749 §5.2: a client that failed to authenticate, 401 with a challenge for the scheme it may use.
    case 'unauthorized':
      return { status: 401, error: 'invalid_client' };
    // Authenticated, but its key lacks the scope of the endpoint.
    case 'forbidden':
      return { status: 403, error: 'unauthorized_client' };
    case 'invalid_refresh_token':
    case 'refresh_token_reused':
    case 'user_banned':
      return { status: 400, error: 'invalid_grant' };
    case 'unsupported_grant_type':
      return { status: 400, error: 'unsupported_grant_type' };
    case 'rate_limited':
      return { status: 429, error: 'temporarily_unavailable' };
    case 'store_unavailable':
    case 'provider_unavailable':
    case 'captcha_unavailable':
      return { status: 503, error: 'temporarily_unavailable' };
    case 'internal_error':
    case 'invalid_phone':
    case 'invalid_code':
    case 'verification_not_found':
    case 'verification_expired':
    case 'max_attempts_reached':
    case 'resend_too_soon':
    case 'country_not_allowed':
    case 'number_type_not_allowed':
    case 'channel_unavailable':
    case 'phone_in_use':
    case 'idempotency_conflict':
    case 'idempotency_in_flight':
    case 'captcha_required':
    case 'captcha_failed':
      return { status: 500, error: 'server_error' };
    default:
      return assertNever(code);
  }
}

function assertNever(value: never): never {
  throw new Error(`unmapped error code ${String(value)}`);
}

/** The descriptions of errors raised by the framework, in the words of an OAuth endpoint. */
const FRAMEWORK_DESCRIPTIONS: Partial<Record<ErrorCode, string>> = {
  unsupported_media_type: 'Send the request body as application/x-www-form-urlencoded.',
};

/**
 * RFC 6749 §5.2 allows only %x20-21 / %x23-5B / %x5D-7E in `error_description`: a quote, a
 * backslash or any other character outside printable ASCII becomes a plain one.
 */
function describe(text: string): string {
  return text.replace(/[’‘]/g, "'").replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, ' ');
}

/** A validation failure names its first fault (the field lists of problem+json have no OAuth member). */
function withFirstFault(error: DomainError): string {
  const faults = error.extensions.errors;
  const first = Array.isArray(faults) ? (faults[0] as { message?: unknown } | undefined)?.message : undefined;
  return typeof first === 'string' && first !== error.detail ? `${error.detail.replace(/\.$/, '')}: ${first}.` : error.detail;
}

/** The OAuth answer of a domain error: status, body, and the headers it needs. */
export function toOAuthError(error: DomainError): { status: number; body: OAuthErrorBody; headers: Record<string, string> } {
  const { status, error: code } = oauthErrorOf(error.code);
  // A bug's detail is for operators (the filter logs it), never for the client.
  const detail = code === 'server_error' ? 'An unexpected error occurred.' : (FRAMEWORK_DESCRIPTIONS[error.code] ?? withFirstFault(error));
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (status === 401) headers['WWW-Authenticate'] = `Basic realm="${OAUTH_REALM}"`;
  if (error.extensions.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.extensions.retryAfterSeconds);
  return { status, body: { error: code, error_description: describe(detail) }, headers };
}

import { DomainError, ErrorCode } from './domain.error.js';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  [extension: string]: unknown;
}

interface ProblemKind {
  status: number;
  title: string;
}

/** One place maps every stable code to its HTTP status; the switch is checked for exhaustiveness. */
export function problemKindOf(code: ErrorCode): ProblemKind {
  switch (code) {
    case 'invalid_phone':
      return { status: 400, title: 'Invalid phone number' };
    case 'invalid_code':
      return { status: 400, title: 'Invalid code' };
    case 'validation_failed':
      return { status: 400, title: 'Validation failed' };
    case 'unsupported_grant_type':
      return { status: 400, title: 'Unsupported grant type' };
    case 'unauthorized':
    case 'invalid_refresh_token':
      return { status: 401, title: 'Unauthorized' };
    case 'refresh_token_reused':
      return { status: 401, title: 'Refresh token reused' };
    case 'forbidden':
      return { status: 403, title: 'Forbidden' };
    case 'user_banned':
      return { status: 403, title: 'User banned' };
    case 'country_not_allowed':
      return { status: 403, title: 'Country not allowed' };
    case 'verification_not_found':
      return { status: 404, title: 'Verification not found' };
    case 'not_found':
      return { status: 404, title: 'Not found' };
    case 'method_not_allowed':
      return { status: 405, title: 'Method not allowed' };
    case 'idempotency_in_flight':
      return { status: 409, title: 'Request in progress' };
    case 'phone_in_use':
      return { status: 409, title: 'Phone number in use' };
    case 'idempotency_conflict':
      return { status: 422, title: 'Idempotency key reused' };
    case 'verification_expired':
      return { status: 410, title: 'Verification expired' };
    case 'payload_too_large':
      return { status: 413, title: 'Payload too large' };
    case 'unsupported_media_type':
      return { status: 415, title: 'Unsupported media type' };
    case 'number_type_not_allowed':
      return { status: 422, title: 'Number type not allowed' };
    case 'channel_unavailable':
      return { status: 422, title: 'Channel unavailable' };
    case 'max_attempts_reached':
      return { status: 429, title: 'Too many attempts' };
    case 'resend_too_soon':
      return { status: 429, title: 'Resend too soon' };
    case 'rate_limited':
      return { status: 429, title: 'Too many requests' };
    case 'internal_error':
      return { status: 500, title: 'Internal error' };
    case 'provider_unavailable':
      return { status: 503, title: 'Provider unavailable' };
    case 'store_unavailable':
      return { status: 503, title: 'Store unavailable' };
    case 'captcha_required':
      return { status: 400, title: 'CAPTCHA required' };
    case 'captcha_failed':
      return { status: 403, title: 'CAPTCHA failed' };
    case 'captcha_unavailable':
      return { status: 503, title: 'CAPTCHA check unavailable' };
    default:
      return assertNever(code);
  }
}

function assertNever(value: never): never {
  throw new Error(`unmapped error code ${String(value)}`);
}

/** The last segment of a code's type URL: the code with dashes (`invalid-phone`). */
export const problemSlugOf = (code: ErrorCode) => code.replaceAll('_', '-');

/** Where the type URLs live, below the service's public URL; each serves a page about its code. */
export const PROBLEMS_PATH = '/problems';

/** `typeBase` is the service's public URL: each code's type is `<PUBLIC_URL>/problems/<code>`. */
export function toProblem(error: DomainError, typeBase: string): ProblemDetails {
  const { status, title } = problemKindOf(error.code);
  return {
    type: `${typeBase}${PROBLEMS_PATH}/${problemSlugOf(error.code)}`,
    title,
    status,
    detail: error.detail,
    code: error.code,
    ...error.extensions,
  };
}

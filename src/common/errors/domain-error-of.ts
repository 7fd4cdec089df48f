import { HttpException } from '@nestjs/common';
import { DomainError, type ErrorCode } from './domain.error.js';

// What the exception filters share: any exception as a domain error, without leaking its text.

/** Any exception as a domain error: framework errors by their status, anything else `internal_error`. */
export function domainErrorOf(exception: unknown): DomainError {
  if (exception instanceof DomainError) return exception;
  const status = statusOf(exception);
  if (status === undefined || status >= 500) {
    return new DomainError('internal_error', 'An unexpected error occurred.', {}, { cause: exception });
  }
  const code = codeForStatus(status);
  return new DomainError(code, clientDetail(exception, code));
}

function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  // Fastify's own errors (body parsing, content type, body size) carry a statusCode.
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    default:
      return 'validation_failed';
  }
}

// Fixed texts only: a framework message may echo the URL, and a URL may carry a token.
function clientDetail(exception: unknown, code: ErrorCode): string {
  const fastifyCode = (exception as { code?: unknown } | null)?.code;
  const message = exception instanceof Error ? exception.message : '';
  if (code === 'validation_failed' && (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || /not valid JSON/i.test(message))) {
    return 'The request body is not valid JSON.';
  }
  switch (code) {
    case 'not_found':
      return 'No such resource.';
    case 'payload_too_large':
      return 'The request body is too large.';
    case 'unsupported_media_type':
      return 'Send the request body as application/json.';
    case 'method_not_allowed':
      return 'This method is not allowed on this resource.';
    case 'unauthorized':
      return 'Authentication is required.';
    case 'forbidden':
      return 'This is not allowed.';
    case 'rate_limited':
      return 'Too many requests.';
    default:
      return 'The request is malformed.';
  }
}

export function describeCause(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

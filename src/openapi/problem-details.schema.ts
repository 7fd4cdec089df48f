import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { userBanned } from '../common/errors/user-banned.js';
import { phoneInUse } from '../common/errors/phone-in-use.js';
import { DomainError, ERROR_CODES, type ErrorCode } from '../common/errors/domain.error.js';
import { problemKindOf, toProblem } from '../common/errors/problem-details.js';

/** The base of every example problem `type`: the service's PUBLIC_URL in a real answer. */
export const EXAMPLE_PUBLIC_URL = 'https://auth.example.com';

@ApiSchema({ name: 'FieldError' })
export class FieldErrorSchema {
  @ApiProperty({ example: 'phone', description: 'The request field (or header) at fault.' })
  field!: string;

  @ApiProperty({ example: 'phone must be a string' })
  message!: string;
}

/** RFC 9457 problem details, as every 4xx and 5xx answer carries them (`application/problem+json`). */
@ApiSchema({ name: 'ProblemDetails', description: 'RFC 9457 problem details: every 4xx and 5xx answer, as application/problem+json.' })
export class ProblemDetails {
  @ApiProperty({ format: 'uri', example: `${EXAMPLE_PUBLIC_URL}/problems/invalid-code`, description: '`<PUBLIC_URL>/problems/<code with dashes>`: a GET there answers a short HTML page on the code (what it means, what to do).' })
  type!: string;

  @ApiProperty({ example: 'Invalid code' })
  title!: string;

  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400 })
  status!: number;

  @ApiProperty({ example: 'The code is not correct.', description: 'Safe to show to the person.' })
  detail!: string;

  @ApiProperty({ enum: ERROR_CODES, enumName: 'ErrorCode', example: 'invalid_code', description: 'Stable: program against it.' })
  code!: ErrorCode;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, example: 4, description: 'On `invalid_code` and `max_attempts_reached`.' })
  attemptsRemaining?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, example: 30, description: 'On every 429 and 503; also sent as the Retry-After header.' })
  retryAfterSeconds?: number;

  @ApiPropertyOptional({ type: [FieldErrorSchema], description: 'On `validation_failed`.' })
  errors?: FieldErrorSchema[];

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'US', description: 'On `country_not_allowed`: the number\'s ISO 3166-1 country.' })
  country?: string | null;

  @ApiPropertyOptional({ example: 'premium_rate', description: 'On `number_type_not_allowed`: the kind of number refused.' })
  numberType?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', enum: ['sms', 'whatsapp', 'voice'] },
    example: ['sms', 'voice'],
    description: 'On `channel_unavailable`: the channels this number may use instead.',
  })
  channels?: string[];

  @ApiPropertyOptional({ enum: ['login', 'introspect', 'admin'], example: 'admin', description: 'On `forbidden`: the scope the API key lacks.' })
  requiredScope?: string;
}

/** One realistic answer per stable code, built by the same function the exception filter uses. */
const EXAMPLE_ERRORS: { [code in ErrorCode]: DomainError } = {
  invalid_phone: new DomainError('invalid_phone', 'Enter a valid phone number in international format (+919876543210), or pass its country.'),
  invalid_code: new DomainError('invalid_code', 'The code is not correct.', { attemptsRemaining: 4 }),
  verification_not_found: new DomainError('verification_not_found', 'No open verification matches. Ask for a new code.'),
  verification_expired: new DomainError('verification_expired', 'The code has expired. Ask for a new one.'),
  max_attempts_reached: new DomainError('max_attempts_reached', 'Too many wrong codes for this verification. Ask for a new one.', {
    attemptsRemaining: 0,
    retryAfterSeconds: 240,
  }),
  resend_too_soon: new DomainError('resend_too_soon', 'A code was sent moments ago. Wait before asking for another.', { retryAfterSeconds: 27 }),
  rate_limited: new DomainError('rate_limited', 'Too many requests from this address. Try again later.', { retryAfterSeconds: 412 }),
  country_not_allowed: new DomainError('country_not_allowed', 'Codes cannot be sent to numbers of this country.', { country: 'US' }),
  number_type_not_allowed: new DomainError('number_type_not_allowed', 'Codes cannot be sent to this kind of number. Use a mobile number.', {
    numberType: 'premium_rate',
  }),
  channel_unavailable: new DomainError('channel_unavailable', 'Codes cannot be sent by whatsapp to this number. Pick one of: sms, voice.', {
    channels: ['sms', 'voice'],
  }),
  provider_unavailable: new DomainError('provider_unavailable', 'The code could not be sent. Try again shortly.', { retryAfterSeconds: 1 }),
  store_unavailable: new DomainError('store_unavailable', 'The verification store is unavailable. Try again shortly.', { retryAfterSeconds: 1 }),
  invalid_refresh_token: new DomainError('invalid_refresh_token', 'This refresh token is not valid. Sign in again.'),
  refresh_token_reused: new DomainError('refresh_token_reused', 'This refresh token was already used. The session has been ended; sign in again.'),
  unsupported_grant_type: new DomainError('unsupported_grant_type', 'Only grant_type=refresh_token is served here.'),
  unauthorized: new DomainError('unauthorized', 'Authentication is required.'),
  forbidden: new DomainError('forbidden', 'This API key may not call this route: it needs the admin scope.', { requiredScope: 'admin' }),
  user_banned: userBanned(),
  phone_in_use: phoneInUse(),
  idempotency_conflict: new DomainError('idempotency_conflict', 'This Idempotency-Key was used with a different request body.'),
  idempotency_in_flight: new DomainError('idempotency_in_flight', 'A request with this Idempotency-Key is still in progress.', { retryAfterSeconds: 1 }),
  validation_failed: new DomainError('validation_failed', 'The request has invalid or unknown fields.', {
    errors: [{ field: 'phone', message: 'phone must be a string' }],
  }),
  not_found: new DomainError('not_found', 'No such resource.'),
  method_not_allowed: new DomainError('method_not_allowed', 'This method is not allowed on this resource.'),
  payload_too_large: new DomainError('payload_too_large', 'The request body is too large.'),
  unsupported_media_type: new DomainError('unsupported_media_type', 'Send the request body as application/json.'),
  internal_error: new DomainError('internal_error', 'An unexpected error occurred.'),
  captcha_required: new DomainError('captcha_required', 'Complete the bot check (CAPTCHA) and send its token as captchaToken or X-Captcha-Token.'),
  captcha_failed: new DomainError('captcha_failed', 'The bot check (CAPTCHA) did not pass. Complete it again.'),
  captcha_unavailable: new DomainError('captcha_unavailable', 'The bot check cannot be verified just now. Complete it again shortly.', { retryAfterSeconds: 5 }),
};

export function exampleProblem(code: ErrorCode, publicUrl = EXAMPLE_PUBLIC_URL) {
  return toProblem(EXAMPLE_ERRORS[code], publicUrl);
}

/** The realistic error of a code that the examples are built from (also the OAuth endpoints' examples). */
export function exampleDomainError(code: ErrorCode): DomainError {
  return EXAMPLE_ERRORS[code];
}

export const RETRY_AFTER_HEADER = {
  'Retry-After': { description: 'Seconds to wait before trying again (also `retryAfterSeconds`).', schema: { type: 'integer', minimum: 1 } },
} as const;

/** The draft-ietf-httpapi-ratelimit-headers of the per-IP rules, on every answer of a limited route. */
export const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': { description: 'Requests allowed in the window of this route’s per-IP rule.', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current window.', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets (or the block ends).', schema: { type: 'integer' } },
} as const;

/** Every route can answer these whatever it does: a bug, or an unparsable request. */
const ALWAYS: ErrorCode[] = ['internal_error'];

/**
 * Documents the problem answers of a route: one response per status, each
 * `application/problem+json` with the ProblemDetails schema and one example per code.
 * Retry-After is declared on 429 and 503; `rateLimited` adds the RateLimit-* headers to them.
 */
export function ApiProblems(codes: ErrorCode[], options: { rateLimited?: boolean } = {}) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...new Set([...codes, ...ALWAYS])]) {
    const { status } = problemKindOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const decorators = [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, group]) => {
      const retrying = status === 429 || status === 503;
      const headers = {
        ...(retrying ? RETRY_AFTER_HEADER : {}),
        ...(options.rateLimited ? RATE_LIMIT_HEADERS : {}),
      };
      return ApiResponse({
        status,
        description: group.map((code) => `\`${code}\``).join(', '),
        ...(Object.keys(headers).length > 0 ? { headers } : {}),
        content: {
          'application/problem+json': {
            schema: { $ref: getSchemaPath(ProblemDetails) },
            examples: Object.fromEntries(group.map((code) => [code, { summary: problemKindOf(code).title, value: exampleProblem(code) }])),
          },
        },
      });
    });
  return applyDecorators(ApiExtraModels(ProblemDetails), ...decorators);
}

import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import type { ErrorCode } from '../common/errors/domain.error.js';
import { OAUTH_ERROR_CODES, OAUTH_REALM, type OAuthErrorBody, type OAuthErrorCode, oauthErrorOf, toOAuthError } from '../common/errors/oauth-errors.js';
import { RETRY_AFTER_HEADER, exampleDomainError } from './problem-details.schema.js';

/** RFC 6749 §5.2 error answer of the OAuth endpoints (introspection, token), as application/json. */
@ApiSchema({ name: 'OAuthError', description: 'RFC 6749 §5.2: the error answers of the OAuth endpoints (introspection, token), as application/json.' })
export class OAuthErrorSchema implements OAuthErrorBody {
  @ApiProperty({ enum: OAUTH_ERROR_CODES, enumName: 'OAuthErrorCode', example: 'invalid_client' })
  error!: OAuthErrorCode;

  @ApiProperty({ example: 'The client credentials are not valid.', description: 'For developers; printable ASCII.' })
  error_description!: string;
}

const WWW_AUTHENTICATE_HEADER = {
  'WWW-Authenticate': { description: `\`Basic realm="${OAUTH_REALM}"\`: authenticate the client (RFC 6749 §5.2).`, schema: { type: 'string' } },
} as const;

/** Always possible: a bug. */
const ALWAYS: ErrorCode[] = ['internal_error'];

/**
 * Documents the OAuth error answers of a route from the domain codes it may raise, through the
 * same mapping the OAuthErrorFilter uses: one response per status, `application/json` with the
 * OAuthError schema and one example per domain code.
 */
export function ApiOAuthErrors(codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...new Set([...codes, ...ALWAYS])]) {
    const { status } = oauthErrorOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const decorators = [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, group]) => {
      const headers = { ...(status === 401 ? WWW_AUTHENTICATE_HEADER : {}), ...(status === 429 || status === 503 ? RETRY_AFTER_HEADER : {}) };
      return ApiResponse({
        status,
        description: [...new Set(group.map((code) => `\`${oauthErrorOf(code).error}\``))].join(', '),
        ...(Object.keys(headers).length > 0 ? { headers } : {}),
        content: {
          'application/json': {
            schema: { $ref: getSchemaPath(OAuthErrorSchema) },
            examples: Object.fromEntries(group.map((code) => [code, { summary: `from ${code}`, value: toOAuthError(exampleDomainError(code)).body }])),
          },
        },
      });
    });
  return applyDecorators(ApiExtraModels(OAuthErrorSchema), ...decorators);
}

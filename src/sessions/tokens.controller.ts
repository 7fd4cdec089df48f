import { Body, Controller, Delete, Header, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiOAuthErrors } from '../openapi/oauth-error.schema.js';
import { ApiProblems } from '../openapi/problem-details.schema.js';
import { EXAMPLE_SESSION_ID, EXAMPLE_USER_ID } from '../openapi/examples.js';
import { AdminAudit } from '../clients/admin-audit.js';
import { ApiKeyGuard, type RequestWithClient } from '../clients/api-key.guard.js';
import { ClientCredentialsGuard } from '../clients/client-credentials.guard.js';
import { OAuthErrors } from '../common/errors/oauth-error.filter.js';
import { CLIENT_SECRET_BASIC_SCHEME, RequiresScope } from '../clients/requires-scope.decorator.js';
import { IntrospectDto } from './dto/introspect.dto.js';
import { IntrospectionResponse } from './dto/introspection.response.js';
import { RevokedCountResponse } from './dto/revoked-count.response.js';
import { UserIdParam } from './dto/session-id.param.js';
import { SessionService } from './session.service.js';

/** For internal services holding an API key. */
@ApiTags('internal')
@Controller('v1')
export class TokensController {
  constructor(
    private readonly sessions: SessionService,
    private readonly audit: AdminAudit,
  ) {}

  /** RFC 7662. Only access tokens are introspected; anything else is `{ active: false }`. */
  @ApiOperation({
    summary: 'Introspect an access token (RFC 7662)',
    description:
      'A live access token gets its claims; anything else (expired, ended session, forged, unknown, a refresh token) gets only `{ "active": false }`. ' +
      'The caller authenticates with one of: `X-API-Key`; HTTP Basic with the API key\'s name as client_id and the key as client_secret (`client_secret_basic`, RFC 6749 §2.3.1: each form-urlencoded before base64); or `client_id` and `client_secret` in the body (`client_secret_post`). Its key needs the `introspect` scope. ' +
      'Errors here are OAuth errors (RFC 6749 §5.2, `application/json`), not problem+json: a 401 `invalid_client` carries `WWW-Authenticate: Basic`.',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({
    type: IntrospectionResponse,
    description: 'Always 200 for a well-formed request (`Cache-Control: no-store`).',
    examples: {
      active: {
        summary: 'A live access token',
        value: {
          active: true,
          iss: 'https://auth.example.com',
          aud: 'https://auth.example.com',
          sub: EXAMPLE_USER_ID,
          sid: EXAMPLE_SESSION_ID,
          jti: '0f6f3c4e-2f43-4d55-9b5c-3f1f8c0b7a21',
          iat: 1777888812,
          exp: 1777889412,
          auth_time: 1777888812,
          amr: ['sms'],
          phone_number: '+919876543210',
          phone_number_verified: true,
        },
      },
      inactive: { summary: 'Anything else', value: { active: false } },
    },
  })
  @ApiOAuthErrors(['validation_failed', 'unauthorized', 'forbidden', 'payload_too_large', 'unsupported_media_type', 'store_unavailable'])
  @ApiSecurity(CLIENT_SECRET_BASIC_SCHEME)
  @RequiresScope('introspect')
  @UseGuards(ClientCredentialsGuard)
  @OAuthErrors()
  @Post('tokens/introspect')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async introspect(@Body() body: IntrospectDto): Promise<IntrospectionResponse> {
    return IntrospectionResponse.of(await this.sessions.introspect(body.token));
  }

  @ApiOperation({ summary: 'End every session of a user', description: 'Their access tokens stop working here and at introspection at once.' })
  @ApiOkResponse({ type: RevokedCountResponse })
  @ApiProblems(['validation_failed', 'unauthorized', 'forbidden', 'store_unavailable'])
  @RequiresScope('admin')
  @UseGuards(ApiKeyGuard)
  @Delete('users/:userId/sessions')
  @HttpCode(200)
  async revokeAll(@Param() params: UserIdParam, @Req() request: RequestWithClient): Promise<RevokedCountResponse> {
    const revoked = await this.sessions.revokeAll(params.userId);
    this.audit.record(request.apiClient, 'end_user_sessions', `ended ${revoked} session(s) of user ${params.userId}`);
    return RevokedCountResponse.of(revoked);
  }
}

import { Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OAuthErrors } from '../common/errors/oauth-error.filter.js';
import { ApiOAuthErrors } from '../openapi/oauth-error.schema.js';
import { RATE_LIMIT_HEADERS } from '../openapi/problem-details.schema.js';
import { RateLimited } from '../throttling/app-throttler.guard.js';
import { OAuthTokenResponse } from './dto/oauth-token.response.js';
import { RefreshTokenGrantDto, TokenRequest } from './dto/token-request.dto.js';
import { SessionService } from './session.service.js';

/**
 * The RFC 6749 token endpoint for OAuth client libraries: the refresh grant (§6) only, for public
 * clients. The same rotation as `POST /v1/sessions/refresh` (SessionService.refresh), in OAuth's
 * shape: form body, snake_case answer, §5.2 errors.
 */
@ApiTags('oauth')
@Controller('oauth')
export class OAuthTokenController {
  constructor(private readonly sessions: SessionService) {}

  @ApiOperation({
    summary: 'Token endpoint: refresh grant (RFC 6749 §6)',
    description:
      'For OAuth client libraries (the discovery documents\' `token_endpoint`). Public clients only (`token_endpoint_auth_methods_supported: ["none"]`): the refresh token is bound to its session. The presented refresh token is spent; a spent one presented again ends the whole session (`invalid_grant`), as on `POST /v1/sessions/refresh`.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: RefreshTokenGrantDto })
  @ApiOkResponse({ type: OAuthTokenResponse, description: 'A new token pair (`Cache-Control: no-store`).', headers: RATE_LIMIT_HEADERS })
  @ApiOAuthErrors(['validation_failed', 'unsupported_grant_type', 'invalid_refresh_token', 'refresh_token_reused', 'payload_too_large', 'unsupported_media_type', 'rate_limited', 'store_unavailable'])
  @OAuthErrors()
  @Post('token')
  @HttpCode(200)
  @RateLimited('refresh')
  @Header('Cache-Control', 'no-store')
  async token(@TokenRequest() request: RefreshTokenGrantDto): Promise<OAuthTokenResponse> {
    return OAuthTokenResponse.of(await this.sessions.refresh(request.refresh_token));
  }
}

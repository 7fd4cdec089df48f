import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, RATE_LIMIT_HEADERS } from '../openapi/problem-details.schema.js';
import { RateLimited } from '../throttling/app-throttler.guard.js';
import { AccessTokenGuard, CurrentAuth } from './access-token.guard.js';
import type { AccessTokenClaims } from './access-token.service.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { SessionIdParam } from './dto/session-id.param.js';
import { SessionListResponse } from './dto/session-list.response.js';
import { TokenPairResponse } from './dto/token-pair.response.js';
import { SessionService } from './session.service.js';
import { ApiPublic } from '../openapi/api-public.decorator.js';

@ApiTags('sessions')
@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionService) {}

  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair',
    description:
      'The presented refresh token is spent. A spent token presented again ends the whole session (`refresh_token_reused`), unless it was rotated within the last REFRESH_TOKEN_REUSE_GRACE_SECONDS (`invalid_refresh_token`, session kept).',
  })
  @ApiOkResponse({ type: TokenPairResponse, description: 'A new token pair (`Cache-Control: no-store`).', headers: RATE_LIMIT_HEADERS })
  @ApiProblems(
    ['validation_failed', 'invalid_refresh_token', 'refresh_token_reused', 'payload_too_large', 'unsupported_media_type', 'rate_limited', 'store_unavailable'],
    { rateLimited: true },
  )
  @ApiPublic()
  @Post('refresh')
  @HttpCode(200)
  @RateLimited('refresh')
  @Header('Cache-Control', 'no-store')
  async refresh(@Body() body: RefreshDto): Promise<TokenPairResponse> {
    return TokenPairResponse.of(await this.sessions.refresh(body.refreshToken));
  }

  @ApiOperation({ summary: 'Log out', description: 'Ends the session of the access token: its access and refresh tokens stop working.' })
  @ApiBearerAuth('bearer')
  @ApiNoContentResponse({ description: 'The session has ended.' })
  @ApiProblems(['unauthorized', 'not_found', 'store_unavailable'])
  @Post('logout')
  @HttpCode(204)
  @UseGuards(AccessTokenGuard)
  async logout(@CurrentAuth() auth: AccessTokenClaims): Promise<void> {
    await this.sessions.revokeOwn(auth.sub, auth.sid);
  }

  @ApiOperation({ summary: 'List the caller\'s sessions', description: 'Live sessions of the access token\'s user, oldest first.' })
  @ApiBearerAuth('bearer')
  @ApiOkResponse({ type: SessionListResponse })
  @ApiProblems(['unauthorized', 'store_unavailable'])
  @Get()
  @Header('Cache-Control', 'no-store')
  @UseGuards(AccessTokenGuard)
  async list(@CurrentAuth() auth: AccessTokenClaims): Promise<SessionListResponse> {
    return SessionListResponse.of(await this.sessions.list(auth.sub), auth.sid);
  }

  @ApiOperation({ summary: 'End one of the caller\'s sessions', description: 'Any session id that is not the caller\'s own is `not_found`.' })
  @ApiBearerAuth('bearer')
  @ApiNoContentResponse({ description: 'The session has ended.' })
  @ApiProblems(['validation_failed', 'unauthorized', 'not_found', 'store_unavailable'])
  @Delete(':id')
  @HttpCode(204)
  @UseGuards(AccessTokenGuard)
  async revoke(@CurrentAuth() auth: AccessTokenClaims, @Param() params: SessionIdParam): Promise<void> {
    await this.sessions.revokeOwn(auth.sub, params.id);
  }
}

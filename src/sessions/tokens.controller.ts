import { Body, Controller, Delete, Header, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../clients/api-key.guard.js';
import { IntrospectDto } from './dto/introspect.dto.js';
import { UserIdParam } from './dto/session-id.param.js';
import { SessionService } from './session.service.js';

/** For internal services holding an API key. */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class TokensController {
  constructor(private readonly sessions: SessionService) {}

  /** RFC 7662. Only access tokens are introspected; anything else is `{ active: false }`. */
  @Post('tokens/introspect')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  introspect(@Body() body: IntrospectDto) {
    return this.sessions.introspect(body.token);
  }

  @Delete('users/:userId/sessions')
  @HttpCode(200)
  async revokeAll(@Param() params: UserIdParam) {
    return { revoked: await this.sessions.revokeAll(params.userId) };
  }
}

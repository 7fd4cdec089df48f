import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { RateLimited } from '../throttling/app-throttler.guard.js';
import { maskIp } from '../common/net/mask-ip.js';
import { AccessTokenGuard, CurrentAuth } from './access-token.guard.js';
import type { AccessTokenClaims } from './access-token.service.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { SessionIdParam } from './dto/session-id.param.js';
import { SessionService } from './session.service.js';

@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionService) {}

  @Post('refresh')
  @HttpCode(200)
  @RateLimited('refresh')
  @Header('Cache-Control', 'no-store')
  refresh(@Body() body: RefreshDto) {
    return this.sessions.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(AccessTokenGuard)
  async logout(@CurrentAuth() auth: AccessTokenClaims): Promise<void> {
    await this.sessions.revokeOwn(auth.sub, auth.sid);
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  @UseGuards(AccessTokenGuard)
  async list(@CurrentAuth() auth: AccessTokenClaims) {
    const sessions = await this.sessions.list(auth.sub);
    return {
      sessions: sessions.map((session) => ({
        id: session.id,
        createdAt: new Date(session.createdAtMs).toISOString(),
        lastUsedAt: new Date(session.lastUsedAtMs).toISOString(),
        expiresAt: new Date(Math.min(session.expiresAtMs, session.idleExpiresAtMs)).toISOString(),
        userAgent: session.userAgent ?? null,
        ip: maskIp(session.ip) ?? null,
        clientId: session.clientId ?? null,
        current: session.id === auth.sid,
      })),
    };
  }

  @Delete(':id')
  @HttpCode(204)
  @UseGuards(AccessTokenGuard)
  async revoke(@CurrentAuth() auth: AccessTokenClaims, @Param() params: SessionIdParam): Promise<void> {
    await this.sessions.revokeOwn(auth.sub, params.id);
  }
}

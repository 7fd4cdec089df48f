import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { ChannelRouters } from '../providers/channel-routers.js';
import { RedisHealth } from './redis.health.js';
import { ShutdownState } from './shutdown-state.js';
import { ApiPublic } from '../openapi/api-public.decorator.js';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisHealth,
    private readonly router: ChannelRouters,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The process answers. */
  @ApiOperation({ summary: 'Liveness', description: 'The process answers: `{"status":"ok"}`. Checks nothing else, so a Redis outage never restarts the service.' })
  @ApiResponse({ status: 200, description: 'Alive.' })
  @ApiPublic()
  @Get('live')
  @Header('Cache-Control', 'no-store')
  live() {
    return { status: 'ok' };
  }

  /** The store answers a PING in time and the process is not shutting down; provider circuits are reported only. */
  @ApiOperation({
    summary: 'Readiness',
    description:
      'The store answers a PING in time and the process is not draining for shutdown. Provider circuit states are reported (closed, open, half-open) but never make the service unready. Answers 200 when ready, else 503; both with the body of @nestjs/terminus (`status`, `info`, `error`, `details`), not problem+json, as probes expect. A store that is down is described in `error.store`: `mode`, `address` (without credentials), `downSince`, `reason` `cause` (the last connection error, when one was seen: refused, a certificate not trusted, a wrong password) and a `message` with all of them.',
  })
  @ApiResponse({ status: 200, description: 'Ready to take traffic.' })
  @ApiPublic()
  @Get('ready')
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      return await this.health.check([
        () => {
          const indicator = this.indicators.check('lifecycle');
          return this.shutdown.draining ? indicator.down({ state: 'draining' }) : indicator.up({ state: 'serving' });
        },
        () => this.redis.check('store'),
        () =>
          this.indicators.check('providers').up(this.router.circuitStates()),
      ]);
    } catch (error) {
      // Terminus's own body (status, info, error, details) is what probes and operators expect.
      const body = (error as { getResponse?: () => unknown }).getResponse?.();
      if (body === undefined) throw error;
      void reply.status(503);
      return body;
    }
  }
}

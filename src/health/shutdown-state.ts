import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { appConfig } from '../config/app.config.js';

/**
 * On SIGTERM: readiness turns 503 at once, and the server keeps serving for the drain delay so
 * that load balancers stop sending first; then Nest closes the server (in-flight requests finish)
 * and Redis.
 */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown, OnModuleInit {
  private readonly logger = new Logger(ShutdownState.name);
  draining = false;

  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  // While draining, every answer closes its connection, so keep-alive clients move to another
  // instance and the server can close without waiting for idle sockets.
  onModuleInit(): void {
    this.adapterHost.httpAdapter?.getInstance<FastifyInstance>().addHook('onSend', async (_request, reply) => {
      if (this.draining) void reply.header('Connection', 'close');
    });
  }

  /** Called on a signal, before the application closes. */
  async drain(signal: string): Promise<void> {
    this.draining = true;
    this.logger.log(`${signal}: not ready any more; draining for ${this.app.shutdownDrainMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, this.app.shutdownDrainMs));
  }

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}

import { Module, type OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { appConfig } from '../config/app.config.js';
import { pinoOptions, REQUEST_LINE, requestLineHooks } from './request-line.js';

/**
 * JSON logs through pino: nestjs-pino is Nest's logger (main.ts), and one request line per request
 * (except probes and scrapes) is written by a Fastify hook (request-line.ts) with the request id
 * (Fastify's id: the caller's X-Request-Id when it is sane, else a new one, echoed back; see
 * app.setup.ts). Request lines carry the path without its query and no header; messages mask
 * phone numbers where they are written.
 *
 * No Nest middleware: nestjs-pino's (@fastify/middie, pino-http and an AsyncLocalStorage store
 * per request) cost a quarter of a wrong-code verify's CPU. So the lines written while serving a
 * request (LoginService's, say) do not carry the request id: keeping it there through
 * AsyncLocalStorage, even set by one cheap onRequest hook, gave back 10-20 % of a verify's CPU on
 * Node 20, where any store in use turns on promise hooks for every promise.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => ({
        // The root logger only; no route gets the middleware.
        forRoutes: [],
        pinoHttp: { ...pinoOptions(app.logLevel), wrapSerializers: false },
      }),
    }),
  ],
})
export class LoggingModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly pino: PinoLogger,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    // Outside a request, PinoLogger's logger is the root: the one pino instance of the process.
    const hooks = requestLineHooks(this.pino.logger);
    fastify.addHook('onResponse', hooks.onResponse);
    fastify.addHook('onRequestAbort', hooks.onRequestAbort);
    // For the router's own refusals (app.setup.ts frameworkErrors), which run no hooks.
    fastify.decorate(REQUEST_LINE, hooks.write);
  }
}

import { Module, RequestMethod } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appConfig } from '../config/app.config.js';

const PINO_LEVELS = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' } as const;

/**
 * JSON logs through pino, one request id on every line of a request (Fastify's id: the caller's
 * X-Request-Id when it is sane, else a new one, echoed back; see app.setup.ts). Request lines carry the route path without its query and
 * no header that holds a secret; messages mask phone numbers where they are written.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => ({
        forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
        pinoHttp: {
          level: PINO_LEVELS[app.logLevel],
          autoLogging: { ignore: (request: IncomingMessage) => /^\/(health|metrics)\b/.test(request.url ?? '') },
          serializers: {
            req: (request: { id: string; method: string; url: string; remoteAddress?: string }) => ({
              id: request.id,
              method: request.method,
              path: request.url.split('?')[0],
            }),
            res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
          },
          // Defence in depth: nothing above logs these, and nothing ever should.
          redact: { paths: ['req.headers', 'res.headers', '*.authorization', '*["x-api-key"]', '*.cookie', '*.code', '*.refreshToken', '*.accessToken'], censor: '[redacted]' },
          // A 5xx here is an answer (store or provider unavailable); its cause, if a bug, is logged
          // at error by the problem filter. pino-http's synthetic error object adds nothing.
          customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) =>
            error || response.statusCode >= 500 ? 'warn' : 'info',
          customErrorMessage: (request: IncomingMessage, response: ServerResponse) =>
            `${request.method} ${(request.url ?? '').split('?')[0]} ${response.statusCode}`,
          customErrorObject: (_request: IncomingMessage, _response: ServerResponse, _error: Error, value: Record<string, unknown>) => {
            const { err: _err, ...rest } = value;
            return rest;
          },
          customSuccessMessage: (request: IncomingMessage, response: ServerResponse) =>
            `${request.method} ${(request.url ?? '').split('?')[0]} ${response.statusCode}`,
        },
      }),
    }),
  ],
})
export class LoggingModule {}

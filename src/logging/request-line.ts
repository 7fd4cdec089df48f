import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Logger, LoggerOptions } from 'pino';
import type { LOG_LEVELS } from '../config/environment.js';

/** LOG_LEVEL (Nest's names) as pino levels. */
export const PINO_LEVELS = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' } as const satisfies Record<
  (typeof LOG_LEVELS)[number],
  string
>;

/** The options of the application's one pino logger. */
export function pinoOptions(logLevel: (typeof LOG_LEVELS)[number]): LoggerOptions {
  return {
    level: PINO_LEVELS[logLevel],
    // Defence in depth: nothing logs these, and nothing ever should.
    redact: {
      paths: ['req.headers', 'res.headers', '*.authorization', '*["x-api-key"]', '*.cookie', '*.code', '*.refreshToken', '*.accessToken'],
      censor: '[redacted]',
    },
  };
}

/** Probes and scrapes: every few seconds from every load balancer and Prometheus, nothing to read. */
const UNLOGGED = /^\/(?:health|metrics)(?:\/|$)/;

/**
 * A Fastify `onResponse` hook writing one line per answered request: its id (Fastify's, see
 * app.setup.ts), method, path without the query string (which may carry a token), status and
 * time in ms; `info`, or `warn` for a 5xx. A 5xx here is an answer (store or provider
 * unavailable); its cause, if a bug, is logged at error by the problem filter. No header is
 * logged. Nothing is built when the level is off.
 *
 * It replaces nestjs-pino's per-request middleware (see logging.module.ts): the same line, for a
 * fraction of the cost.
 */
export function requestLineHook(logger: Logger) {
  return function requestLine(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const statusCode = reply.statusCode;
    const level = statusCode >= 500 ? 'warn' : 'info';
    if (logger.isLevelEnabled(level)) {
      const { url, method } = request;
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      if (!UNLOGGED.test(path)) {
        logger[level](
          { req: { id: request.id, method, path }, res: { statusCode }, responseTime: Math.round(reply.elapsedTime * 10) / 10 },
          `${method} ${path} ${statusCode}`,
        );
      }
    }
    done();
  };
}

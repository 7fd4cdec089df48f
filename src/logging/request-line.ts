import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Logger, LoggerOptions } from 'pino';
import type { LOG_LEVELS } from '../config/app.config.js';

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
      // With the OAuth spellings of the token endpoint and client_secret_post.
      paths: ['req.headers', 'res.headers', '*.authorization', '*["x-api-key"]', '*.cookie', '*.code', '*.refreshToken', '*.accessToken', '*.refresh_token', '*.access_token', '*.client_secret'],
      censor: '[redacted]',
    },
  };
}

/** Probes and scrapes, by route: every few seconds from every load balancer and Prometheus, nothing to read. */
const UNLOGGED_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/** The name under which LoggingModule decorates the Fastify instance with `writeRequestLine`. */
export const REQUEST_LINE = 'phoneAuthRequestLine';

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by LoggingModule; absent when no logging module is loaded. */
    [REQUEST_LINE]?: (request: FastifyRequest, statusCode: number, responseTimeMs?: number) => void;
  }
}

/** Written for a request whose client hung up before the answer (nginx's convention). */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * Writes one request line: its id (Fastify's, see app.setup.ts), method, path without the query
 * string (which may carry a token), status and time in ms; `info`, or `warn` for a 5xx. A 5xx is
 * an answer (store or provider unavailable); its cause, if a bug, is logged at error by the
 * problem filter. No header is logged. Nothing is built when the level is off.
 */
export function requestLineWriter(logger: Logger) {
  return function writeRequestLine(request: FastifyRequest, statusCode: number, responseTimeMs?: number): void {
    const level = statusCode >= 500 ? 'warn' : 'info';
    if (!logger.isLevelEnabled(level) || UNLOGGED_ROUTES.has(request.routeOptions?.url ?? '')) return;
    const { url, method } = request;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const aborted = statusCode === CLIENT_CLOSED_REQUEST;
    logger[level](
      {
        req: { id: request.id, method, path },
        res: { statusCode },
        ...(responseTimeMs === undefined ? {} : { responseTime: Math.round(responseTimeMs * 10) / 10 }),
        ...(aborted ? { aborted } : {}),
      },
      aborted ? `${method} ${path} aborted by the client` : `${method} ${path} ${statusCode}`,
    );
  };
}

/**
 * Fastify hooks writing one line per request: `onResponse` for an answered one, `onRequestAbort`
 * for one whose client hung up first (its work may be done: a code consumed, a session opened).
 * They replace nestjs-pino's per-request middleware (see logging.module.ts): the same line, for
 * a fraction of the cost.
 */
export function requestLineHooks(logger: Logger) {
  const write = requestLineWriter(logger);
  return {
    write,
    onResponse(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
      write(request, reply.statusCode, reply.elapsedTime);
      done();
    },
    onRequestAbort(request: FastifyRequest, done: HookHandlerDoneFunction): void {
      write(request, CLIENT_CLOSED_REQUEST);
      done();
    },
  };
}

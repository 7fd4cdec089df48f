import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import type { ConfigType } from '@nestjs/config';
import { DomainError } from './common/errors/domain.error.js';
import { toProblem } from './common/errors/problem-details.js';
import { SECURITY_HEADERS } from './common/http/security-headers.js';
import { validationPipe } from './common/http/validation-pipe.js';
import { REQUEST_LINE } from './logging/request-line.js';
import { randomUUID } from 'node:crypto';
import { appConfig } from './config/app.config.js';
import { trustProxyOf } from './throttling/throttling.config.js';
import { setupOpenApi } from './openapi/openapi.js';

/** Body limit for every route: the largest legitimate request is well under 1 KiB. */
export const BODY_LIMIT_BYTES = 16 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The Fastify options main.ts and the e2e suites share. */
export function fastifyOptions(trustProxy: string, publicUrl: string) {
  return {
    bodyLimit: BODY_LIMIT_BYTES,
    // Long ids reach validation (a clear 400) instead of the router's own answer.
    routerOptions: { maxParamLength: 1024 },
    // What the router refuses before Nest sees the request (a malformed URL): problem+json,
    // without echoing the URL, which may carry a token.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
      // No hook runs for these: the headers and the request line every other answer gets.
      void reply
        .headers(SECURITY_HEADERS)
        .header('X-Request-Id', request.id)
        .code(status)
        .type('application/problem+json')
        .send(JSON.stringify({ ...toProblem(new DomainError('validation_failed', 'The request URL is malformed.'), publicUrl), status }));
      request.server[REQUEST_LINE]?.(request, status);
    },
    trustProxy: trustProxyOf(trustProxy),
    // A caller's X-Request-Id is kept when it is sane, so one id follows a login across services.
    requestIdHeader: false as const,
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const header = request.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    },
  };
}

/** Everything main.ts and the e2e suites apply alike to a created application. */
export async function configureApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  const fastify = app.getHttpAdapter().getInstance();
  // Set before the handler, as @fastify/helmet would, so a route can still override one.
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(SECURITY_HEADERS);
    done();
  });
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
  });
  const { corsOrigins } = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  if (corsOrigins.length > 0) {
    await app.register(cors as never, {
      origin: corsOrigins,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key'],
      exposedHeaders: ['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'],
      maxAge: 600,
    });
  }
  app.useGlobalPipes(validationPipe());
  // JSON, plus the form bodies Nest registers for RFC 7662 introspection; a text/plain body
  // gets 415 rather than reaching validation as a string.
  fastify.removeContentTypeParser('text/plain');
  setupOpenApi(app);
  return app;
}

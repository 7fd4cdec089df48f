import { ValidationError, ValidationPipe } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { ConfigType } from '@nestjs/config';
import { DomainError } from './common/errors/domain.error.js';
import { randomUUID } from 'node:crypto';
import { appConfig } from './config/app.config.js';
import { trustProxyOf } from './config/throttling.config.js';
import { setupOpenApi } from './openapi/openapi.js';

/** Body limit for every route: the largest legitimate request is well under 1 KiB. */
export const BODY_LIMIT_BYTES = 16 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The Fastify options main.ts and the e2e suites share. */
export function fastifyOptions(trustProxy: string) {
  return {
    bodyLimit: BODY_LIMIT_BYTES,
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
  // nosniff, X-Frame-Options DENY, HSTS, no referrer. No global CSP: the API answers JSON, and the
  // pages that serve HTML (demo, /docs) set their own.
  await app.register(helmet as never, { contentSecurityPolicy: false, referrerPolicy: { policy: 'no-referrer' } });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply) => {
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
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      stopAtFirstError: true,
      exceptionFactory: (errors) =>
        new DomainError('validation_failed', 'The request has invalid or unknown fields.', {
          errors: errors.flatMap((error) => describe(error)),
        }),
    }),
  );
  // JSON, plus the form bodies Nest registers for RFC 7662 introspection; a text/plain body
  // gets 415 rather than reaching validation as a string.
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  setupOpenApi(app);
  return app;
}

function describe(error: ValidationError, parent = ''): { field: string; message: string }[] {
  const field = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
  return own.concat((error.children ?? []).flatMap((child) => describe(child, field)));
}

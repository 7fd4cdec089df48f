import { ValidationError, ValidationPipe } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError } from './common/errors/domain.error.js';

/** Body limit for every route: the largest legitimate request is well under 1 KiB. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** Everything main.ts and the e2e suites apply alike to a created application. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
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
  app.enableShutdownHooks();
  return app;
}

function describe(error: ValidationError, parent = ''): { field: string; message: string }[] {
  const field = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
  return own.concat((error.children ?? []).flatMap((child) => describe(child, field)));
}

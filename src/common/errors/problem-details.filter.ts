import { ArgumentsHost, Catch, ExceptionFilter, Inject, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appConfig } from '../../config/app.config.js';
import { describeCause, domainErrorOf } from './domain-error-of.js';
import { isOAuthRoute, sendOAuthError } from './oauth-error.filter.js';
import { toProblem } from './problem-details.js';

/**
 * The one place where failures become HTTP: domain errors by their code, framework errors
 * (routing, body parsing, validation) by their status, anything else as an opaque 500.
 * No stack trace, code or token ever reaches a body.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  constructor(@Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = domainErrorOf(exception);
    // An OAuth endpoint's own filter answers what its route raises; what Fastify refuses before
    // the route runs (body parsing, size, content type) arrives here and is answered alike.
    if (isOAuthRoute(host.switchToHttp().getRequest<FastifyRequest>())) return sendOAuthError(reply, error, this.logger, exception);
    const problem = toProblem(error, this.app.publicUrl);
    if (problem.status >= 500) {
      // The cause is for operators; the client sees only the stable code.
      this.logger.error(`${problem.code}: ${describeCause(error.cause ?? exception)}`);
    }
    if (error.extensions.retryAfterSeconds !== undefined) {
      void reply.header('Retry-After', String(error.extensions.retryAfterSeconds));
    }
    void reply.status(problem.status).header('Content-Type', 'application/problem+json').send(problem);
  }
}

import { applyDecorators, ArgumentsHost, Catch, ExceptionFilter, Logger, UseFilters } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DomainError } from './domain.error.js';
import { describeCause, domainErrorOf } from './domain-error-of.js';
import { toOAuthError } from './oauth-errors.js';

/** The Fastify route config member that marks an OAuth endpoint (set by @OAuthErrors()). */
const OAUTH_ROUTE = 'phoneAuthOAuthErrors';

/** Whether the request was routed to an OAuth endpoint. */
export function isOAuthRoute(request: FastifyRequest | undefined): boolean {
  const config = request?.routeOptions?.config as Record<string, unknown> | undefined;
  return config?.[OAUTH_ROUTE] === true;
}

/** Answers `error` as RFC 6749 §5.2 does: `application/json` `{ error, error_description }`. */
export function sendOAuthError(reply: FastifyReply, error: DomainError, logger: Logger, exception: unknown): void {
  const { status, body, headers } = toOAuthError(error);
  if (status >= 500) logger.error(`${error.code}: ${describeCause(error.cause ?? exception)}`);
  void reply.status(status).headers(headers).header('Content-Type', 'application/json; charset=utf-8').send(body);
}

/** The failures of an OAuth endpoint as OAuth errors, through the one exhaustive mapping (oauth-errors.ts). */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(OAuthErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    sendOAuthError(host.switchToHttp().getResponse<FastifyReply>(), domainErrorOf(exception), this.logger, exception);
  }
}

/**
 * Marks an OAuth endpoint (introspection, token): its errors are OAuth errors, not problem+json.
 * The filter catches what the route's guards, pipes and handler raise; the route config lets the
 * global filter answer alike for what Fastify refuses before the route runs.
 */
export function OAuthErrors() {
  return applyDecorators(UseFilters(OAuthErrorFilter), RouteConfig({ [OAUTH_ROUTE]: true }));
}

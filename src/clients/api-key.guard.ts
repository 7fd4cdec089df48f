import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain.error.js';
import { ApiClient, ApiScope } from './api-client.js';
import { ApiClientsService } from './api-clients.service.js';
import { REQUIRED_SCOPE } from './requires-scope.decorator.js';

export type RequestWithClient = FastifyRequest & { apiClient?: ApiClient };

function apiKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers['x-api-key'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The scope the route declares (@RequiresScope); a route behind an API-key guard without one is a bug, refused. */
export function requiredScope(reflector: Reflector, context: ExecutionContext): ApiScope {
  const scope = reflector.getAllAndOverride<ApiScope | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
  if (scope === undefined) throw new Error(`${context.getClass().name}.${context.getHandler().name} is behind an API-key guard without @RequiresScope`);
  return scope;
}

export function authorize(client: ApiClient, scope: ApiScope): ApiClient {
  if (!client.scopes.includes(scope)) {
    throw new DomainError('forbidden', `This API key may not call this route: it needs the ${scope} scope.`, { requiredScope: scope });
  }
  return client;
}

/** Routes for internal services only: a valid X-API-Key with the route's scope is required. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly clients: ApiClientsService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithClient>();
    const scope = requiredScope(this.reflector, context);
    const apiKey = apiKeyOf(request);
    if (apiKey === undefined) throw new DomainError('unauthorized', 'This endpoint needs an X-API-Key header.');
    request.apiClient = authorize(this.clients.authenticate(apiKey), scope);
    return true;
  }
}

/** Routes open to everyone that internal services may call on a user's behalf: a key, if sent, must be valid and hold the route's scope. */
@Injectable()
export class OptionalApiKeyGuard implements CanActivate {
  constructor(
    private readonly clients: ApiClientsService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithClient>();
    const scope = requiredScope(this.reflector, context);
    const apiKey = apiKeyOf(request);
    if (apiKey !== undefined) request.apiClient = authorize(this.clients.authenticate(apiKey), scope);
    return true;
  }
}

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain.error.js';
import { ApiClient } from './api-client.js';
import { ApiClientsService } from './api-clients.service.js';

export type RequestWithClient = FastifyRequest & { apiClient?: ApiClient };

function apiKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers['x-api-key'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Routes for internal services only: a valid X-API-Key is required. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly clients: ApiClientsService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithClient>();
    const apiKey = apiKeyOf(request);
    if (apiKey === undefined) throw new DomainError('unauthorized', 'This endpoint needs an X-API-Key header.');
    request.apiClient = this.clients.authenticate(apiKey);
    return true;
  }
}

/** Routes open to everyone that internal services may call on a user's behalf: a key, if sent, must be valid. */
@Injectable()
export class OptionalApiKeyGuard implements CanActivate {
  constructor(private readonly clients: ApiClientsService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithClient>();
    const apiKey = apiKeyOf(request);
    if (apiKey !== undefined) request.apiClient = this.clients.authenticate(apiKey);
    return true;
  }
}

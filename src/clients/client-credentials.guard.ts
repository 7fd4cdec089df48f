import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/errors/domain.error.js';
import { authorize, requiredScope, type RequestWithClient } from './api-key.guard.js';
import { ApiClientsService } from './api-clients.service.js';
import { clientCredentialsOf } from './client-credentials.js';

/**
 * ApiKeyGuard for OAuth endpoints (RFC 7662 introspection): the client may also authenticate as
 * RFC 6749 §2.3.1 says, with its API key's name as `client_id` and the key as `client_secret`,
 * in an HTTP Basic header (client_secret_basic) or in the body (client_secret_post). The route's
 * scope is required whichever method it used.
 */
@Injectable()
export class ClientCredentialsGuard implements CanActivate {
  constructor(
    private readonly clients: ApiClientsService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithClient>();
    const scope = requiredScope(this.reflector, context);
    const credentials = clientCredentialsOf(request);
    const client =
      credentials.method === 'api_key' ? this.clients.authenticate(credentials.apiKey) : this.clients.authenticateAs(credentials.clientId, credentials.clientSecret);
    if (credentials.method === 'api_key' && credentials.clientId !== undefined && credentials.clientId !== client.name) {
      throw new DomainError('unauthorized', 'client_id does not name the client of this API key.');
    }
    request.apiClient = authorize(client, scope);
    return true;
  }
}

import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain.error.js';
import { AccessTokenClaims } from './access-token.service.js';
import { SessionService } from './session.service.js';

type RequestWithAuth = FastifyRequest & { auth?: AccessTokenClaims };

/** Bearer access token required, valid and of a live session. */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithAuth>();
    request.auth = await this.sessions.authenticate(bearerTokenOf(request.headers.authorization));
    return true;
  }
}

/** The token of an `Authorization: Bearer <token>` header; `unauthorized` when there is none. */
export function bearerTokenOf(authorization: string | undefined): string {
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? '');
  if (match === null) throw new DomainError('unauthorized', 'Send the access token as "Authorization: Bearer <token>".');
  return match[1];
}

/** The claims of the caller's access token, on routes behind AccessTokenGuard. */
export const CurrentAuth = createParamDecorator((_data: unknown, context: ExecutionContext): AccessTokenClaims => {
  const auth = context.switchToHttp().getRequest<RequestWithAuth>().auth;
  if (auth === undefined) throw new Error('CurrentAuth used on a route without AccessTokenGuard');
  return auth;
});

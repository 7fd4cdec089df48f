import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { isIP } from 'node:net';
import { DomainError } from '../common/errors/domain.error.js';
import type { RequestWithClient } from './api-key.guard.js';

export interface Caller {
  /** The API-key client acting for the user, if any. */
  clientId?: string;
  /** The end user's address: X-End-User-IP from an API-key client, else the connection's. */
  ip: string;
  userAgent?: string;
}

/** Who is asking, once the API-key guards have run; X-End-User-IP is trusted only from a client. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<RequestWithClient>();
  const client = request.apiClient;
  const endUserIp = request.headers['x-end-user-ip'];
  let ip = request.ip;
  if (client !== undefined && endUserIp !== undefined) {
    if (typeof endUserIp !== 'string' || isIP(endUserIp.trim()) === 0) {
      throw new DomainError('validation_failed', 'X-End-User-IP must be one IPv4 or IPv6 address.', {
        errors: [{ field: 'X-End-User-IP', message: 'must be an IP address' }],
      });
    }
    ip = endUserIp.trim();
  }
  const userAgent = request.headers['user-agent'];
  return { clientId: client?.name, ip, userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 256) : undefined };
});

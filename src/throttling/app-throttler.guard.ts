import { applyDecorators, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  SkipThrottle,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { isIP } from 'node:net';
import type { RequestWithClient } from '../clients/api-key.guard.js';
import { DomainError } from '../common/errors/domain.error.js';
import { Metrics } from '../metrics/metrics.service.js';

/** The per-IP rules; each limited route counts against exactly one, plus the client quota. */
export const IP_RULES = ['send', 'verify', 'refresh'] as const;
export type IpRule = (typeof IP_RULES)[number];
export const CLIENT_RULE = 'client';

/**
 * @nestjs/throttler on the shared store, answering in the service's own terms: a 429
 * problem+json `rate_limited` with Retry-After, and RateLimit-Limit / -Remaining / -Reset
 * (draft-ietf-httpapi-ratelimit-headers) on every answer of a limited route.
 * The address counted is the end user's: X-End-User-IP from an API-key client, else the
 * connection's (through TRUST_PROXY).
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly metrics: Metrics,
  ) {
    super(options, storage, reflector);
  }

  protected override async getTracker(request: Record<string, any>): Promise<string> {
    const req = request as RequestWithClient;
    const endUserIp = req.headers['x-end-user-ip'];
    const ip = req.apiClient && typeof endUserIp === 'string' && isIP(endUserIp.trim()) ? endUserIp.trim() : req.ip;
    return normalizeIp(ip, 64);
  }

  protected override async handleRequest(requestProps: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = requestProps;
    const { req, res } = this.getRequestResponse(context);
    const tracker = await getTracker(req, context);
    const key = generateKey(context, tracker, throttler.name ?? 'default');
    const record = await this.storageService.increment(key, ttl, limit, blockDuration, throttler.name ?? 'default');
    const reply = res as FastifyReply;
    if (throttler.name !== CLIENT_RULE) {
      void reply.header('RateLimit-Limit', String(limit));
      void reply.header('RateLimit-Remaining', String(Math.max(0, limit - record.totalHits)));
      void reply.header('RateLimit-Reset', String(record.isBlocked ? record.timeToBlockExpire : record.timeToExpire));
    }
    if (record.isBlocked) {
      this.metrics.throttled.inc({ rule: throttler.name ?? 'default' });
      throw new DomainError(
        'rate_limited',
        throttler.name === CLIENT_RULE ? 'This API key has used up its quota for now.' : 'Too many requests from this address. Try again later.',
        { retryAfterSeconds: Math.max(1, record.timeToBlockExpire) },
      );
    }
    return true;
  }
}

/** Limits a route by one per-IP rule (and the API-key client quota). */
export function RateLimited(rule: IpRule) {
  const skipped = Object.fromEntries(IP_RULES.filter((other) => other !== rule).map((other) => [other, true]));
  return applyDecorators(SkipThrottle(skipped), UseGuards(AppThrottlerGuard));
}

export function callerClient(context: ExecutionContext): string | undefined {
  return context.switchToHttp().getRequest<RequestWithClient>().apiClient?.name;
}

import { applyDecorators, CanActivate, ExecutionContext, Inject, Injectable, Logger, SetMetadata, UseGuards } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { RequestWithClient } from '../clients/api-key.guard.js';
import { DomainError } from '../common/errors/domain.error.js';
import { maskIp } from '../common/net/mask-ip.js';
import { Clock } from '../common/time/clock.js';
import { Metrics } from '../metrics/metrics.service.js';
import { captchaConfig } from './captcha.config.js';
import { CaptchaTokenRepository } from './captcha-token.repository.js';
import { CaptchaUnavailableError, CaptchaVerifier } from './captcha-verifier.js';

export type CaptchaRoute = 'send' | 'verify';
const CAPTCHA_ROUTE = 'phone-auth:captcha-route';

/** Longer than any provider's token (Turnstile documents 2048 characters): refused unread. */
export const MAX_CAPTCHA_TOKEN_LENGTH = 4096;
export const CAPTCHA_HEADER = 'x-captcha-token';

type Decision = { decision: 'passed' } | { decision: 'missing' | 'failed' | 'error'; reason: string };

/**
 * The bot check of anonymous callers, before the route's handler (so before any store write or
 * provider call). API-key clients skip it unless they relay a token. The token comes in the body (`captchaToken`) or the
 * X-Captcha-Token header; one token opens one request (its hash is remembered until it expires).
 */
@Injectable()
export class CaptchaGuard implements CanActivate {
  private readonly logger = new Logger('CaptchaGuard');

  constructor(
    // Null when CAPTCHA_MODE is off (no provider): never asked then.
    @Inject(CaptchaVerifier) private readonly verifier: CaptchaVerifier | null,
    private readonly tokens: CaptchaTokenRepository,
    @Inject(captchaConfig.KEY) private readonly config: ConfigType<typeof captchaConfig>,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.reflector.get<CaptchaRoute>(CAPTCHA_ROUTE, context.getHandler());
    if (this.config.mode === 'off' || (route === 'verify' && !this.config.onVerify)) return true;
    const request = context.switchToHttp().getRequest<RequestWithClient>();
    const token = tokenOf(request);
    // An API-key client skips the check, unless it relays its end user's token (a server-side login page does).
    if (request.apiClient !== undefined && token === undefined) {
      this.count('skipped_api_key');
      return true;
    }
    const ip = endUserIpOf(request);
    const outcome = await this.decide(token, ip);
    return this.config.mode === 'audit' ? this.audit(outcome, route, ip) : this.enforce(outcome, route, ip);
  }

  private async decide(token: string | undefined, remoteIp: string): Promise<Decision> {
    if (token === undefined) return { decision: 'missing', reason: 'no token' };
    if (token.length > MAX_CAPTCHA_TOKEN_LENGTH) return { decision: 'failed', reason: 'token too long' };
    // Claimed before the provider is asked: a replayed token costs no siteverify call.
    const hash = createHash('sha256').update(token).digest('hex');
    if (!(await this.tokens.claim(hash, this.config.tokenLifetimeMs, this.clock.nowMs()))) return { decision: 'failed', reason: 'replayed' };
    try {
      const verdict = await this.verifier!.verify({ token, remoteIp });
      return verdict.passed ? { decision: 'passed' } : { decision: 'failed', reason: verdict.reason };
    } catch (error) {
      if (error instanceof CaptchaUnavailableError) return { decision: 'error', reason: error.message };
      throw error;
    }
  }

  private audit(outcome: Decision, route: CaptchaRoute, ip: string): boolean {
    if (outcome.decision === 'passed' || outcome.decision === 'error') {
      this.count(outcome.decision);
      if (outcome.decision === 'error') this.logger.warn(`[audit] bot check of a ${route} could not run (${outcome.reason}); let through`);
      return true;
    }
    this.count('would_refuse');
    this.logger.warn(`[audit] would refuse a ${route} from ${maskIp(ip)}: CAPTCHA ${outcome.decision} (${outcome.reason})`);
    return true;
  }

  private enforce(outcome: Decision, route: CaptchaRoute, ip: string): boolean {
    this.count(outcome.decision);
    switch (outcome.decision) {
      case 'passed':
        return true;
      case 'missing':
        throw new DomainError('captcha_required', 'Complete the bot check (CAPTCHA) and send its token as captchaToken or X-Captcha-Token.');
      case 'failed':
        this.logger.log(`refused a ${route} from ${maskIp(ip)}: CAPTCHA failed (${outcome.reason})`);
        throw new DomainError('captcha_failed', 'The bot check (CAPTCHA) did not pass. Complete it again.');
      case 'error':
        if (this.config.failOpen) {
          this.logger.warn(`bot check of a ${route} could not run (${outcome.reason}); let through (CAPTCHA_FAIL_OPEN)`);
          return true;
        }
        this.logger.warn(`bot check of a ${route} could not run (${outcome.reason}); refused`);
        throw new DomainError('captcha_unavailable', 'The bot check cannot be verified just now. Complete it again shortly.', {
          retryAfterSeconds: 5,
        });
    }
  }

  private count(decision: string): void {
    this.metrics.captchaDecisions.inc({ provider: this.config.provider ?? 'none', decision });
  }
}

// The solver's address: X-End-User-IP from an API-key client relaying a token, else the connection's.
function endUserIpOf(request: RequestWithClient): string {
  const relayed = request.headers['x-end-user-ip'];
  return request.apiClient !== undefined && typeof relayed === 'string' && isIP(relayed.trim()) !== 0 ? relayed.trim() : request.ip;
}

function tokenOf(request: RequestWithClient): string | undefined {
  const header = request.headers[CAPTCHA_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  const body = request.body as { captchaToken?: unknown } | undefined;
  const fromBody = typeof body === 'object' && body !== null ? body.captchaToken : undefined;
  return typeof fromBody === 'string' && fromBody !== '' ? fromBody : undefined;
}

/** Puts a route behind the bot check; `verify` routes only with CAPTCHA_ON_VERIFY. Place it above @RateLimited: the per-IP limit runs first. */
export function BotChecked(route: CaptchaRoute) {
  return applyDecorators(SetMetadata(CAPTCHA_ROUTE, route), UseGuards(CaptchaGuard));
}

import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { catchError, from, mergeMap, Observable, of, throwError } from 'rxjs';
import type { RequestWithClient } from '../clients/api-key.guard.js';
import { DomainError } from '../common/errors/domain.error.js';
import { Clock } from '../common/time/clock.js';
import { IdempotencyRepository } from './idempotency.repository.js';

/** How long an answer is replayed, and how long a request that never finished blocks its key. */
export const IDEMPOTENCY_TTL_SECONDS = 86_400;
const PENDING_TTL_SECONDS = 60;
const WAIT_FOR_FIRST_MS = 15_000;
const POLL_MS = 50;

/**
 * Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): the same key and body get the
 * first answer again, without running the handler, also while the first is still running;
 * the same key with another body is 422. Keys are scoped per API-key client (or public) and route.
 * Failed requests are not remembered: a retry runs again.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly repository: IdempotencyRepository,
    private readonly clock: Clock,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<RequestWithClient>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    const key = keyOf(request, header);
    const replay = await this.firstAnswerOrTurn(key, fingerprintOf(request.body));
    if (replay !== undefined) {
      void context.switchToHttp().getResponse<FastifyReply>().header('Idempotent-Replayed', 'true');
      return of(replay);
    }
    return next.handle().pipe(
      mergeMap((body) =>
        from(this.repository.complete(key, JSON.stringify(body), IDEMPOTENCY_TTL_SECONDS, this.clock.nowMs()).then(() => body)),
      ),
      catchError((error: unknown) =>
        from(this.repository.release(key).catch(() => undefined)).pipe(mergeMap(() => throwError(() => error))),
      ),
    );
  }

  /** The stored answer of the first request with this key, or undefined once this request may run. */
  private async firstAnswerOrTurn(key: string, fingerprint: string): Promise<unknown> {
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const begun = await this.repository.begin(key, fingerprint, PENDING_TTL_SECONDS, this.clock.nowMs());
      if (begun.state === 'started') return undefined;
      if (begun.state === 'conflict') {
        throw new DomainError('idempotency_conflict', 'This Idempotency-Key was used with a different request body.');
      }
      if (begun.state === 'completed') return JSON.parse(begun.response) as unknown;
      if (Date.now() > deadline) {
        throw new DomainError('idempotency_in_flight', 'A request with this Idempotency-Key is still in progress.', {
          retryAfterSeconds: 1,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

/** Keys are per client and route: one client's key never answers another's request. */
function keyOf(request: RequestWithClient, header: string | string[]): string {
  if (typeof header !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(header)) {
    throw new DomainError('validation_failed', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', {
      errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }],
    });
  }
  // A Bearer caller (a step-up) is its own scope too: two people's same key and body never share an answer.
  const { authorization } = request.headers;
  const caller = request.apiClient?.name ?? 'public';
  const who = authorization === undefined ? caller : `${caller}\n${createHash('sha256').update(authorization).digest('base64url')}`;
  const scope = `${who}\n${request.method} ${request.routeOptions.url}\n${header}`;
  return createHash('sha256').update(scope).digest('base64url');
}

function fingerprintOf(body: unknown): string {
  let serialized: string;
  try {
    // A retry carries a fresh CAPTCHA token (each works once): the token is not part of what is asked.
    serialized = JSON.stringify(body ?? null, (key, value: unknown) => (key === 'captchaToken' ? undefined : value));
  } catch {
    // Only a body too deeply nested for the stack gets here; validation would refuse it anyway.
    throw new DomainError('validation_failed', 'The request is nested too deeply.');
  }
  return createHash('sha256').update(serialized).digest('base64url');
}

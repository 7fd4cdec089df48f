import { DomainError } from '../common/errors/domain.error.js';

export function verificationNotFound(): DomainError {
  return new DomainError('verification_not_found', 'No open verification matches. Ask for a new code.');
}

export function verificationExpired(): DomainError {
  return new DomainError('verification_expired', 'The code has expired. Ask for a new one.');
}

export function phoneLocked(retryAfterMs: number): DomainError {
  return new DomainError('max_attempts_reached', 'Too many wrong codes for this phone number. Try again later.', {
    attemptsRemaining: 0,
    retryAfterSeconds: toSeconds(retryAfterMs),
  });
}

/** Whole seconds to wait, at least one (Retry-After). */
export function toSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

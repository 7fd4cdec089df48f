import type { Channel } from '../common/channel.js';

/** Every status a verification reads as (the HTTP contract's list). */
export const VERIFICATION_STATUSES = ['pending', 'approved', 'canceled', 'expired', 'max_attempts_reached'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];
/** What the store keeps; `pending` may still read as expired or max_attempts_reached. */
export type StoredStatus = Extract<VerificationStatus, 'pending' | 'approved' | 'canceled'>;

export interface Verification {
  id: string;
  /** E.164. */
  phone: string;
  status: StoredStatus;
  /** HMAC of the code bound to this verification; empty when the provider owns the code. */
  codeHash: string;
  /** Wrong codes entered for this verification; a resend keeps them. */
  attempts: number;
  sends: number;
  /** The channel of the latest send. */
  channel: Channel;
  provider: string;
  /** The provider's own id for the message or verification, if it returned one. */
  providerRef: string;
  createdAtMs: number;
  expiresAtMs: number;
  resendAtMs: number;
}

export function effectiveStatus(verification: Verification, nowMs: number, maxAttempts: number): VerificationStatus {
  if (verification.status !== 'pending') return verification.status;
  if (verification.attempts >= maxAttempts) return 'max_attempts_reached';
  if (nowMs >= verification.expiresAtMs) return 'expired';
  return 'pending';
}

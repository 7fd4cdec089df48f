import type { Channel } from '../common/channel.js';

/** Every status a verification reads as (the HTTP contract's list). */
export const VERIFICATION_STATUSES = ['pending', 'approved', 'canceled', 'expired', 'max_attempts_reached'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];
/** What the store keeps; `pending` may still read as expired or max_attempts_reached. */
export type StoredStatus = Extract<VerificationStatus, 'pending' | 'approved' | 'canceled'>;

/**
 * What a verification is for. A login's code opens a session; a step-up's proves possession again
 * inside a session (and opens none); a phone change's proves a new number for a session's user.
 */
export const VERIFICATION_PURPOSES = ['login', 'step_up', 'phone_change'] as const;
export type VerificationPurpose = (typeof VERIFICATION_PURPOSES)[number];

/**
 * The purpose of a verification and the session it is bound to: a code is checked only under the
 * same scope as it was sent, so a login code never serves a step-up and the other way round.
 */
export interface VerificationScope {
  purpose: VerificationPurpose;
  /** The session that asked for it; '' for a login (no session yet). */
  sessionId: string;
  /** Opaque to the store (JSON the caller reads back): what the code was sent to confirm. */
  context?: string;
}

export const LOGIN_SCOPE: VerificationScope = { purpose: 'login', sessionId: '' };

/** What a provider's delivery receipt said of a send: reached the handset, failed, or neither yet. */
export const DELIVERY_STATUSES = ['delivered', 'failed', 'unknown'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** The latest delivery receipt of a verification's sends. */
export interface Delivery {
  status: DeliveryStatus;
  /** The provider whose receipt it was. */
  provider: string;
  atMs: number;
}

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
  purpose: VerificationPurpose;
  /** The session it is bound to ('' for a login). */
  sessionId: string;
  /** The scope's context as sent ('' when none). */
  context: string;
  /** The latest delivery receipt; absent until one arrives. */
  delivery?: Delivery;
  /** A failed delivery made the service resend once through the next provider (at most once per verification). */
  autoResent?: boolean;
}

export function effectiveStatus(verification: Verification, nowMs: number, maxAttempts: number): VerificationStatus {
  if (verification.status !== 'pending') return verification.status;
  if (verification.attempts >= maxAttempts) return 'max_attempts_reached';
  if (nowMs >= verification.expiresAtMs) return 'expired';
  return 'pending';
}

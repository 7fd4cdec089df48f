import type { Channel } from '../common/channel.js';
import type { EventData } from '../events/event-types.js';
import type { DeliveryStatus, Verification, VerificationScope } from './verification.js';

/** At most `max` sends per phone in fixed windows of `windowSeconds`; with `channel`, only that channel's sends count. */
export interface SendLimit {
  max: number;
  windowSeconds: number;
  channel?: Channel;
}

export interface StartVerification {
  phone: string;
  /** Used only when no open verification exists for the phone. */
  newId: string;
  codeHash: string;
  /** The channel of this send; a resend may switch it (the verification keeps its id and attempts). */
  channel: Channel;
  provider: string;
  nowMs: number;
  ttlSeconds: number;
  resendCooldownSeconds: number;
  maxAttempts: number;
  phoneMaxFailures: number;
  /** Sends per phone in fixed windows (an hour, a day), counted on every created or resent code of their channel. */
  sendLimits: SendLimit[];
  /**
   * LOGIN_SCOPE when absent. A resend keeps the open verification only under the same purpose and
   * session (its context is replaced); any other scope replaces it with a new one.
   */
  scope?: VerificationScope;
}

export type StartResult =
  | { outcome: 'created' | 'resent'; verification: Verification }
  /** The phone's user is banned: nothing was written or counted. */
  | { outcome: 'banned' }
  | { outcome: 'resend_too_soon'; retryAfterMs: number }
  | { outcome: 'send_limited'; retryAfterMs: number }
  | { outcome: 'phone_locked'; retryAfterMs: number };

export interface CheckCode {
  /** Either the verification id or the phone it belongs to. */
  target: { id: string } | { phone: string };
  codeHash: string;
  nowMs: number;
  maxAttempts: number;
  phoneMaxFailures: number;
  phoneFailureWindowSeconds: number;
  /** LOGIN_SCOPE when absent. A verification of another purpose or session is `not_found` (no attempt counted). */
  scope?: Pick<VerificationScope, 'purpose' | 'sessionId'>;
}

export type CheckResult =
  | { outcome: 'approved'; verification: Verification }
  /** The provider owns the code: one attempt is counted; settle() records the provider's verdict. */
  | { outcome: 'reserved'; verification: Verification }
  | { outcome: 'wrong_code'; attempts: number; phone: string }
  | { outcome: 'not_found' }
  | { outcome: 'expired' }
  /** The phone's user is banned (said only when a pending verification matched); nothing counted. */
  | { outcome: 'banned' }
  /** `retryAfterMs`: until a new code may be sent (the cooldown of the last send). */
  | { outcome: 'max_attempts'; retryAfterMs: number }
  | { outcome: 'phone_locked'; retryAfterMs: number };

export interface AbandonUnsent {
  phone: string;
  /** When the lost start ran; with its cooldown it names that start's verification. */
  sentAtMs: number;
  resendCooldownSeconds: number;
  /** Indexes into the start's send limits that it counted on. */
  countedLimits: number[];
  /** Now: a verification past its retention is gone, as in every other step. */
  nowMs: number;
}

export interface PhoneBan {
  phone: string;
  /** The ban's end; null: until lifted. */
  untilMs: number | null;
  nowMs: number;
}

export interface ChargeChannel {
  id: string;
  channel: Channel;
  startedAtMs: number;
  nowMs: number;
  resendCooldownSeconds: number;
  /** Every send limit, in the start's order; only those of exactly `channel` are counted. */
  sendLimits: SendLimit[];
}

export type ChargeResult = { outcome: 'charged'; resendAtMs: number } | { outcome: 'send_limited'; retryAfterMs: number } | { outcome: 'gone' };

export interface Dispatched {
  id: string;
  /** The channel that carried it: another than the start's when that channel's providers all failed. */
  channel: Channel;
  provider: string;
  providerRef: string;
  /** The provider checks the code: the stored digest is dropped. */
  providerOwnsCode: boolean;
  nowMs: number;
}

export interface SettleAttempt {
  id: string;
  /** approved: consume; rejected: a wrong code (counts on the phone); refund: no verdict, give the attempt back. */
  verdict: 'approved' | 'rejected' | 'refund';
  nowMs: number;
  phoneFailureWindowSeconds: number;
  /** Per verification: a rejection at this many attempts fails it (`verification.failed`). */
  maxAttempts: number;
}

export type SettleResult =
  | { outcome: 'approved'; verification: Verification }
  | { outcome: 'wrong_code'; attempts: number; phone: string }
  | { outcome: 'refunded' }
  | { outcome: 'not_found' };

/** A message as a provider names it in its delivery receipts. */
export interface ProviderMessage {
  provider: string;
  providerRef: string;
}

export interface IndexDelivery extends ProviderMessage {
  id: string;
  /** The index lives as long as the verification is kept (its expiry plus its TTL). */
  untilMs: number;
  nowMs: number;
}

export interface RecordDelivery extends ProviderMessage {
  id: string;
  status: DeliveryStatus;
  nowMs: number;
  maxAttempts: number;
  /**
   * For a failure: the digest of a new code, put on the verification only if this failure
   * claims its one automatic resend (the code is then sent through the next provider).
   */
  resendCodeHash: string;
  /** For a failure: the payload of `verification.delivery_failed`, recorded with it. */
  eventData?: EventData;
}

export type RecordDeliveryResult =
  /** The receipt is about another send than the verification's latest (or no verification): nothing changed. */
  | { outcome: 'stale' }
  /** The send already had a final receipt (delivered or failed): nothing changed. */
  | { outcome: 'duplicate' }
  | { outcome: 'recorded' }
  /** A failure of an open verification that had not been resent yet: the new code is on it, send it. */
  | { outcome: 'resend'; verification: Verification };

/**
 * Verifications, one open per phone. Each method is one atomic step, and records its event in it
 * (`verification.sent`, `.approved`, `.failed` once per verification, `.canceled`): no interleaving of
 * concurrent calls can approve a code twice, lose a counted attempt or skip a cooldown.
 * A verification is kept until its expiry plus its TTL once more, so its final status
 * stays readable for a while; then it is gone (not found).
 */
export abstract class VerificationRepository {
  /**
   * Sends or resends for a phone. An open verification (pending, not expired, attempts left)
   * whose cooldown is over gets the new code hash, a new expiry and cooldown, and keeps its id
   * and attempts. Any other verification of the phone is replaced by a new one with `newId`,
   * unless the cooldown of the last send (approved ones aside) is still running, a send limit
   * of the phone is reached, or the phone's failures have reached `phoneMaxFailures`.
   */
  abstract start(request: StartVerification): Promise<StartResult>;

  /**
   * Bars the phone (an operator banned its user): every start is `banned` until `untilMs` (or
   * the ban is lifted), and so is every check that finds a pending verification. Not for purpose
   * `phone_change`: a send to move a user onto the number must not say the number is a banned
   * account's (claiming it answers `phone_in_use` instead). Replaces an earlier ban of the
   * phone; one already over is none.
   */
  abstract banPhone(ban: PhoneBan): Promise<void>;

  /** Lifts the phone's ban, if any. */
  abstract liftPhoneBan(phone: string): Promise<void>;

  /** Records which provider delivered the code, and its reference (and `verification.sent`, if still pending). */
  abstract recordDispatch(dispatched: Dispatched): Promise<void>;

  /**
   * Checks a code hash. Approves and consumes on a match; on a mismatch counts one attempt
   * on the verification and one failure on the phone (the window starts at its first failure).
   * Approved and canceled verifications are `not_found`: a used code never works again.
   * An approval clears the phone's failures. A verification whose provider owns the code is
   * `reserved` instead, its attempt counted before the provider is asked.
   */
  abstract check(request: CheckCode): Promise<CheckResult>;

  /**
   * The provider's verdict on a reserved attempt. Approval consumes the verification only if
   * it is still pending, so of concurrent approvals one wins and the others are `not_found`.
   */
  abstract settle(request: SettleAttempt): Promise<SettleResult>;

  /**
   * After a failed delivery: cancels the verification (no code is pending that nobody received)
   * and ends its cooldown, so the person can ask again at once.
   */
  abstract abandon(id: string, nowMs: number): Promise<void>;

  /**
   * Undoes a start() whose answer was lost (the store timed out, but may run it later): nothing
   * was sent. If the phone's verification was sent at `sentAtMs` (its cooldown ends at `sentAtMs`
   * plus the cooldown), cancels it, lifts the cooldown and gives back the send it counted on each
   * of `countedLimits` whose window is still the same. Commands run in order, so this lands after the lost
   * start() if that ever runs.
   */
  abstract abandonUnsent(request: AbandonUnsent): Promise<void>;

  /**
   * Before the send that opened verification `id` falls through to another channel: counts the
   * send on that channel's own limits (those with exactly its `channel`; the start counted the
   * rest) and stretches the cooldown to `startedAtMs` plus the channel's, in one step. A limit
   * that refuses changes nothing; a verification no longer pending is `gone`.
   */
  abstract chargeChannel(request: ChargeChannel): Promise<ChargeResult>;

  /** The verification with this id, whatever its status, or null. */
  abstract find(id: string, nowMs: number): Promise<Verification | null>;

  /**
   * Cancels an open verification and returns it; an approved or canceled one is returned
   * unchanged. Null when there is none with this id.
   */
  abstract cancel(id: string, nowMs: number): Promise<Verification | null>;

  /** Remembers which verification a provider's message belongs to, for its delivery receipts. */
  abstract indexDelivery(request: IndexDelivery): Promise<void>;

  /** The id of the verification a provider's message belongs to, or null (unknown, or no longer kept). */
  abstract findByDelivery(message: ProviderMessage, nowMs: number): Promise<string | null>;

  /**
   * Records a delivery receipt on the verification, in one atomic step, if it is about the
   * verification's latest send (same provider and message id). A final receipt (delivered,
   * failed) of that send is recorded once; an `unknown` never replaces one. A failure records
   * `verification.delivery_failed` with it and, when the verification is still open (pending,
   * not expired, attempts left) and was never resent automatically, claims that one resend:
   * the new code digest replaces the old (same id, attempts and expiry).
   */
  abstract recordDelivery(request: RecordDelivery): Promise<RecordDeliveryResult>;
}

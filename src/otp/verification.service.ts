import type { Channel } from '../common/channel.js';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DomainError } from '../common/errors/domain.error.js';
import { userBanned } from '../common/errors/user-banned.js';
import { maskPhone } from '../common/phone/phone-number.js';
import { PhoneTagger } from '../common/phone/phone-tagger.js';
import { Clock } from '../common/time/clock.js';
import { OtpCodeGenerator } from './otp-code.generator.js';
import { OtpCodeHasher } from './otp-code.hasher.js';
import { otpConfig } from './otp.config.js';
import { phoneLocked, toSeconds, verificationExpired, verificationNotFound } from './otp.errors.js';
import { DeliveryStatus, effectiveStatus, Verification, VerificationScope, VerificationStatus } from './verification.js';
import { newVerificationId, phoneTagOfVerificationId } from './verification-id.js';
import { CheckResult, SettleAttempt, SettleResult, StartResult, StartVerification, VerificationRepository } from './verification.repository.js';

export interface VerificationView {
  verification: Verification;
  status: VerificationStatus;
  attemptsRemaining: number;
}

/** A verification ready to be delivered: its code exists only here, never in the store. */
export interface OpenedVerification {
  verification: Verification;
  code: string;
  resent: boolean;
  /** The instant the store recorded the send; undo steps name it. */
  nowMs: number;
}

/** Where a code went: the provider, its reference, and whether it checks the code itself. */
export interface DispatchRecord {
  channel: Channel;
  provider: string;
  providerRef: string;
  ownsCode: boolean;
}

/** A provider's word on one message: what its delivery receipt said. */
export interface DeliveryReceipt {
  provider: string;
  providerRef: string;
  status: DeliveryStatus;
  /** The provider's error code of a failure, if it gave one. */
  errorCode?: string;
}

export type ReceiptOutcome =
  /** No kept verification sent this message (unknown, expired and gone, or an earlier send). */
  | { outcome: 'unknown' | 'stale' | 'duplicate' | 'recorded' }
  /** Deliver `opened.code` once through the next provider. */
  | { outcome: 'resend'; opened: OpenedVerification };

/** Either the verification id or the (E.164) phone whose open verification is meant. */
export type VerificationTarget = { id: string } | { phone: string };

/**
 * A code the store approved, or an attempt it counted for a provider that owns the code; the
 * provider's verdict on that attempt is settled at the instant of the check (`nowMs`).
 */
export type CheckedCode = { outcome: 'approved' | 'reserved'; verification: Verification; nowMs: number };

/**
 * Verification state: opening and resending, the stored digest of the code, attempts and
 * per-phone caps. Every refusal is a DomainError; the store's atomic steps do the rest.
 */
@Injectable()
export class VerificationService {
  private readonly logger = new Logger(VerificationService.name);

  constructor(
    private readonly repository: VerificationRepository,
    private readonly codes: OtpCodeGenerator,
    private readonly hasher: OtpCodeHasher,
    private readonly phones: PhoneTagger,
    private readonly clock: Clock,
    @Inject(otpConfig.KEY) private readonly config: ConfigType<typeof otpConfig>,
  ) {}

  /**
   * Opens a verification for the phone, or puts a new code on its open one (same id and attempts),
   * for a send on `channel`: its cooldown and its per-phone caps apply. A `scope` other than a
   * login's binds the verification to its purpose and session (check() must name the same).
   */
  async open(phone: string, channel: Channel, fixed?: { code: string; provider: string }, scope?: VerificationScope): Promise<OpenedVerification> {
    const tag = this.phones.tag(phone);
    // Our code is stored even when a provider may check its own: failover can land on one that does not.
    const code = fixed?.code ?? this.codes.generate(this.config.codeLength);
    const nowMs = this.clock.nowMs();
    const started = await this.startOrUndo({
      phone,
      newId: newVerificationId(tag),
      codeHash: this.hasher.hash(tag, code),
      channel,
      provider: fixed?.provider ?? '',
      nowMs,
      ttlSeconds: this.config.ttlSeconds,
      resendCooldownSeconds: this.config.resendCooldownSeconds[channel],
      maxAttempts: this.config.maxAttempts,
      phoneMaxFailures: this.config.phoneMaxFailures,
      sendLimits: this.config.phoneSendLimits,
      scope,
    });
    switch (started.outcome) {
      case 'resend_too_soon':
        throw new DomainError('resend_too_soon', 'A code was sent moments ago. Wait before asking for another.', {
          retryAfterSeconds: toSeconds(started.retryAfterMs),
        });
      case 'send_limited':
        this.logger.warn(`send refused: ${maskPhone(phone)} has had its codes for now`);
        throw new DomainError('rate_limited', 'Too many codes were sent to this number. Try again later.', {
          retryAfterSeconds: toSeconds(started.retryAfterMs),
        });
      case 'phone_locked':
        this.logger.warn(`send refused: ${maskPhone(phone)} has used up its wrong codes`);
        throw phoneLocked(started.retryAfterMs);
      case 'banned':
        this.logger.warn(`send refused: the user of ${maskPhone(phone)} is banned`);
        throw userBanned();
      case 'created':
      case 'resent':
        return { verification: started.verification, code, resent: started.outcome === 'resent', nowMs };
    }
  }

  /** Refuses every send to the phone, and every check of its pending code, until `untilMs` (null: until lifted). */
  async banPhone(phone: string, untilMs: number | null): Promise<void> {
    await this.repository.banPhone({ phone, untilMs, nowMs: this.clock.nowMs() });
  }

  async liftPhoneBan(phone: string): Promise<void> {
    await this.repository.liftPhoneBan(phone);
  }

  /** Records where the code went; the provider that owns its code makes our digest useless, so it is dropped. */
  async markDispatched(opened: OpenedVerification, dispatch: DispatchRecord): Promise<Verification> {
    const { verification, nowMs } = opened;
    await Promise.all([
      this.repository.recordDispatch({
        id: verification.id,
        channel: dispatch.channel,
        provider: dispatch.provider,
        providerRef: dispatch.providerRef,
        providerOwnsCode: dispatch.ownsCode,
        nowMs,
      }),
      this.indexDelivery(verification, dispatch),
    ]);
    return {
      ...verification,
      channel: dispatch.channel,
      provider: dispatch.provider,
      providerRef: dispatch.providerRef,
      codeHash: dispatch.ownsCode ? '' : verification.codeHash,
    };
  }

  /** So that the provider's delivery receipts find the verification (kept as long as it is). */
  private async indexDelivery(verification: Verification, { provider, providerRef }: DispatchRecord): Promise<void> {
    if (providerRef === '') return;
    const untilMs = verification.expiresAtMs + this.config.ttlSeconds * 1000;
    await this.repository.indexDelivery({ provider, providerRef, id: verification.id, untilMs, nowMs: this.clock.nowMs() });
  }

  /**
   * Records a provider's delivery receipt on the verification of that message. A failure of an
   * open verification's latest send, the first such, is `resend`: the verification (same id,
   * attempts and expiry) now expects a new code, which the caller delivers through the next
   * provider and records with markDispatched(). The old code stops working, as on any resend:
   * its message failed, so nobody can type it, and the code the person does receive works.
   */
  async recordReceipt(receipt: DeliveryReceipt): Promise<ReceiptOutcome> {
    const nowMs = this.clock.nowMs();
    const message = { provider: receipt.provider, providerRef: receipt.providerRef };
    const id = await this.repository.findByDelivery(message, nowMs);
    const verification = id === null ? null : await this.repository.find(id, nowMs);
    if (verification === null) return { outcome: 'unknown' };
    const failed = receipt.status === 'failed';
    const code = failed ? this.codes.generate(this.config.codeLength) : '';
    const result = await this.repository.recordDelivery({
      ...message,
      id: verification.id,
      status: receipt.status,
      nowMs,
      maxAttempts: this.config.maxAttempts,
      resendCodeHash: failed ? this.hasher.hash(phoneTagOfVerificationId(verification.id), code) : '',
      eventData: failed
        ? {
            verificationId: verification.id,
            provider: receipt.provider,
            channel: verification.channel,
            errorCode: receipt.errorCode ?? null,
            phone: verification.phone,
          }
        : undefined,
    });
    if (result.outcome !== 'resend') return { outcome: result.outcome };
    return { outcome: 'resend', opened: { verification: result.verification, code, resent: true, nowMs } };
  }

  /**
   * Before the send of `opened` falls through to another channel (`auto`): counts it on that
   * channel's own caps (a call's daily cap) and stretches the cooldown to that channel's. False,
   * with nothing changed, when a cap refuses it: that channel is skipped.
   */
  async chargeChannel(opened: OpenedVerification, channel: Channel): Promise<boolean> {
    const charged = await this.repository.chargeChannel({
      id: opened.verification.id,
      channel,
      startedAtMs: opened.nowMs,
      nowMs: this.clock.nowMs(),
      resendCooldownSeconds: this.config.resendCooldownSeconds[channel],
      sendLimits: this.config.phoneSendLimits,
    });
    if (charged.outcome !== 'charged') return false;
    // The answer shows the cooldown that now applies.
    opened.verification = { ...opened.verification, channel, resendAtMs: charged.resendAtMs };
    return true;
  }

  /** Nobody received this code: no pending verification stays behind, and the person may retry at once. */
  async abandon(opened: OpenedVerification): Promise<void> {
    await this.repository.abandon(opened.verification.id, opened.nowMs);
  }

  /** Malformed input costs no attempt. */
  assertWellFormed(code: string): void {
    const { codeLength } = this.config;
    if (code.length !== codeLength || !/^[0-9]+$/.test(code)) {
      throw new DomainError('validation_failed', `The code has ${codeLength} digits.`, {
        errors: [{ field: 'code', message: `code must be ${codeLength} digits` }],
      });
    }
  }

  /**
   * Checks a code in one atomic step: approved, reserved for its provider, or a DomainError. A
   * verification sent under another scope (purpose or session) is `verification_not_found`.
   */
  async check(target: VerificationTarget, code: string, scope?: Pick<VerificationScope, 'purpose' | 'sessionId'>): Promise<CheckedCode> {
    const tag = 'id' in target ? phoneTagOfVerificationId(target.id) : this.phones.tag(target.phone);
    const nowMs = this.clock.nowMs();
    const result = await this.repository.check({
      target,
      codeHash: this.hasher.hash(tag, code),
      nowMs,
      maxAttempts: this.config.maxAttempts,
      phoneMaxFailures: this.config.phoneMaxFailures,
      phoneFailureWindowSeconds: this.config.phoneFailureWindowSeconds,
      scope,
    });
    if (result.outcome === 'reserved') return { ...result, nowMs };
    return { outcome: 'approved', verification: this.approvedOrThrow(result), nowMs };
  }

  /** The provider's verdict on a reserved attempt: the approved verification, or a DomainError. */
  async settle(reserved: CheckedCode, verdict: 'approved' | 'rejected'): Promise<Verification> {
    return this.settledOrThrow(await this.settleAs(reserved, verdict));
  }

  /** The provider gave no verdict: the reserved attempt is given back. */
  async refund(reserved: CheckedCode): Promise<void> {
    await this.settleAs(reserved, 'refund');
  }

  async status(id: string): Promise<VerificationView> {
    const nowMs = this.clock.nowMs();
    const verification = await this.repository.find(id, nowMs);
    if (verification === null) throw verificationNotFound();
    return this.view(verification, nowMs);
  }

  async cancel(id: string): Promise<VerificationView> {
    const nowMs = this.clock.nowMs();
    const verification = await this.repository.cancel(id, nowMs);
    if (verification === null) throw verificationNotFound();
    return this.view(verification, nowMs);
  }

  view(verification: Verification, nowMs = this.clock.nowMs()): VerificationView {
    return {
      verification,
      status: effectiveStatus(verification, nowMs, this.config.maxAttempts),
      attemptsRemaining: Math.max(0, this.config.maxAttempts - verification.attempts),
    };
  }

  /**
   * A start() that fails on the store may still run later (Redis queues it): queue its undo right
   * behind it, without waiting, so a retry is not refused for a code that was never sent.
   */
  private async startOrUndo(request: StartVerification): Promise<StartResult> {
    try {
      return await this.repository.start(request);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'store_unavailable') {
        // The limits this send counted: every channel's and its own channel's.
        const counted = request.sendLimits.flatMap((limit, index) => (limit.channel === undefined || limit.channel === request.channel ? [index] : []));
        const undo = { phone: request.phone, sentAtMs: request.nowMs, resendCooldownSeconds: request.resendCooldownSeconds, countedLimits: counted };
        void this.repository.abandonUnsent({ ...undo, nowMs: this.clock.nowMs() }).catch(() => undefined);
      }
      throw error;
    }
  }

  private settleAs({ verification, nowMs }: CheckedCode, verdict: SettleAttempt['verdict']): Promise<SettleResult> {
    return this.repository.settle({
      id: verification.id,
      verdict,
      nowMs,
      phoneFailureWindowSeconds: this.config.phoneFailureWindowSeconds,
      maxAttempts: this.config.maxAttempts,
    });
  }

  private settledOrThrow(result: SettleResult): Verification {
    switch (result.outcome) {
      case 'approved':
        return result.verification;
      case 'wrong_code':
        return this.approvedOrThrow(result);
      case 'refunded':
      case 'not_found':
        throw verificationNotFound();
    }
  }

  private approvedOrThrow(result: Exclude<CheckResult, { outcome: 'reserved' }>): Verification {
    switch (result.outcome) {
      case 'approved':
        return result.verification;
      case 'wrong_code': {
        const attemptsRemaining = Math.max(0, this.config.maxAttempts - result.attempts);
        // A wrong code is ordinary (a typo): debug, not warn; the metric counts them.
        this.logger.debug(`wrong code for ${maskPhone(result.phone)}: ${attemptsRemaining} attempt(s) left`);
        throw new DomainError('invalid_code', 'The code is not correct.', { attemptsRemaining });
      }
      case 'not_found':
        throw verificationNotFound();
      case 'expired':
        throw verificationExpired();
      case 'max_attempts':
        throw new DomainError('max_attempts_reached', 'Too many wrong codes for this verification. Ask for a new one.', {
          attemptsRemaining: 0,
          retryAfterSeconds: toSeconds(result.retryAfterMs),
        });
      case 'phone_locked':
        this.logger.warn('verify refused: the phone has used up its wrong codes');
        throw phoneLocked(result.retryAfterMs);
      case 'banned':
        this.logger.warn('verify refused: the phone\'s user is banned');
        throw userBanned();
    }
  }
}

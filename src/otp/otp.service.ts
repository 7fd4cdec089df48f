import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Caller } from '../clients/caller.decorator.js';
import { DomainError } from '../common/errors/domain.error.js';
import { countryOf, maskPhone, toE164 } from '../common/phone/phone-number.js';
import { PhoneTagger } from '../common/phone/phone-tagger.js';
import { Clock } from '../common/time/clock.js';
import { appConfig } from '../config/app.config.js';
import { otpConfig } from '../config/otp.config.js';
import { providersConfig } from '../config/providers.config.js';
import { otpText } from '../providers/otp-message.js';
import { AllProvidersFailedError, SmsRouter } from '../providers/sms-router.js';
import { Metrics } from '../metrics/metrics.service.js';
import { FraudGuard } from '../throttling/fraud-guard.service.js';
import { SessionService, TokenPair } from '../sessions/session.service.js';
import { OtpCodeGenerator } from './otp-code.generator.js';
import { OtpCodeHasher } from './otp-code.hasher.js';
import { effectiveStatus, Verification, VerificationStatus } from './verification.js';
import { newVerificationId, phoneTagOfVerificationId } from './verification-id.js';
import { CheckResult, SettleResult, StartResult, StartVerification, VerificationRepository } from './verification.repository.js';

export interface SendRequest {
  phone: string;
  country?: string;
  locale?: string;
}

export interface VerifyRequest {
  verificationId?: string;
  phone?: string;
  country?: string;
  code: string;
}

export interface VerificationView {
  verification: Verification;
  status: VerificationStatus;
  attemptsRemaining: number;
}

/** Provider name of verifications for TEST_PHONE_NUMBERS: nothing is sent, the code is fixed. */
export const TEST_NUMBER_PROVIDER = 'test-number';

@Injectable()
export class OtpService {
  private readonly logger = new Logger(OtpService.name);
  private readonly hasher: OtpCodeHasher;

  constructor(
    private readonly verifications: VerificationRepository,
    private readonly router: SmsRouter,
    private readonly sessions: SessionService,
    private readonly codes: OtpCodeGenerator,
    private readonly phones: PhoneTagger,
    private readonly clock: Clock,
    private readonly fraud: FraudGuard,
    private readonly metrics: Metrics,
    @Inject(otpConfig.KEY) private readonly config: ConfigType<typeof otpConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Inject(providersConfig.KEY) private readonly providers: ConfigType<typeof providersConfig>,
  ) {
    this.hasher = new OtpCodeHasher(config.hmacSecret);
  }

  /** Sends a new code, or resends to the phone's open verification (same id, same attempts). */
  async send(request: SendRequest): Promise<VerificationView> {
    try {
      const view = await this.sendOnce(request);
      const { provider, phone } = view.verification;
      this.metrics.sends.inc({ provider, country: countryOf(phone) ?? 'unknown', outcome: provider === TEST_NUMBER_PROVIDER ? 'test_number' : 'sent' });
      return view;
    } catch (error) {
      const outcome = error instanceof DomainError ? error.code : 'internal_error';
      this.metrics.sends.inc({ provider: 'none', country: 'unknown', outcome });
      throw error;
    }
  }

  private async sendOnce(request: SendRequest): Promise<VerificationView> {
    const phone = toE164(request.phone, request.country ?? this.app.defaultCountry);
    const tag = this.phones.tag(phone);
    const testCode = this.providers.testNumbers.get(phone);
    if (testCode === undefined) await this.fraud.admit(phone);
    // Our code is stored even when a provider may check its own: failover can land on one that does not.
    const code = testCode ?? this.codes.generate(this.config.codeLength);
    const nowMs = this.clock.nowMs();
    // Stored before anything is sent: if the store is down, no SMS goes out.
    const started = await this.startOrUndo({
      phone,
      newId: newVerificationId(tag),
      codeHash: this.hasher.hash(tag, code),
      channel: 'sms',
      provider: testCode === undefined ? '' : TEST_NUMBER_PROVIDER,
      nowMs,
      ttlSeconds: this.config.ttlSeconds,
      resendCooldownSeconds: this.config.resendCooldownSeconds,
      maxAttempts: this.config.maxAttempts,
      phoneMaxFailures: this.config.phoneMaxFailures,
      sendLimits: this.config.phoneSendLimits,
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
      case 'created':
      case 'resent':
        break;
    }
    let { verification } = started;
    if (testCode !== undefined) {
      this.logger.log(`[test number] code for ${maskPhone(phone)} not sent: it is fixed`);
    } else {
      try {
        await this.fraud.spendCountryBudget(phone);
      } catch (error) {
        await this.verifications.abandon(verification.id, nowMs);
        throw error;
      }
      const delivered = await this.deliver(verification, code, request.locale, nowMs);
      verification = delivered.verification;
      // Two keys in two slots: sent together, one round trip.
      await Promise.all([
        delivered.recorded,
        this.fraud.recordSend(phone).catch((error: Error) => this.logger.error(`fraud counters not updated: ${error.message}`)),
      ]);
      this.logger.log(`code ${started.outcome === 'created' ? 'sent' : 'resent'} to ${maskPhone(phone)} via ${verification.provider}`);
    }
    return this.view(verification, nowMs);
  }

  /** Checks a code; the one right answer opens a session and returns its tokens. */
  async verify(request: VerifyRequest, caller: Partial<Caller>): Promise<TokenPair> {
    try {
      const tokens = await this.verifyOnce(request, caller);
      this.metrics.verifications.inc({ outcome: 'approved' });
      return tokens;
    } catch (error) {
      this.metrics.verifications.inc({ outcome: error instanceof DomainError ? error.code : 'internal_error' });
      throw error;
    }
  }

  private async verifyOnce(request: VerifyRequest, caller: Partial<Caller>): Promise<TokenPair> {
    if ((request.verificationId === undefined) === (request.phone === undefined)) {
      throw new DomainError('validation_failed', 'Pass either verificationId or phone, not both.', {
        errors: [{ field: 'verificationId', message: 'exactly one of verificationId and phone is required' }],
      });
    }
    // Malformed input costs no attempt. Providers that make their own codes may use another length.
    if (!this.router.anyOwnsCodes && !new RegExp(`^[0-9]{${this.config.codeLength}}$`).test(request.code)) {
      throw new DomainError('validation_failed', `The code has ${this.config.codeLength} digits.`, {
        errors: [{ field: 'code', message: `code must be ${this.config.codeLength} digits` }],
      });
    }
    let target: { id: string } | { phone: string };
    let tag: string;
    if (request.verificationId !== undefined) {
      target = { id: request.verificationId };
      tag = phoneTagOfVerificationId(request.verificationId);
    } else {
      const phone = toE164(request.phone ?? '', request.country ?? this.app.defaultCountry);
      target = { phone };
      tag = this.phones.tag(phone);
    }
    const nowMs = this.clock.nowMs();
    const result = await this.verifications.check({
      target,
      codeHash: this.hasher.hash(tag, request.code),
      nowMs,
      maxAttempts: this.config.maxAttempts,
      phoneMaxFailures: this.config.phoneMaxFailures,
      phoneFailureWindowSeconds: this.config.phoneFailureWindowSeconds,
    });
    const verification =
      result.outcome === 'reserved'
        ? await this.checkWithProvider(result.verification, request.code, nowMs)
        : this.approvedOrThrow(result);
    this.logger.log(`code verified for ${maskPhone(verification.phone)}`);
    // The fraud counter and the session are independent: sent together.
    const [tokens] = await Promise.all([
      this.sessions.start(verification.phone, caller),
      verification.provider === TEST_NUMBER_PROVIDER
        ? undefined
        : this.fraud.recordVerified(verification.phone).catch((error: Error) => this.logger.error(`fraud counters not updated: ${error.message}`)),
    ]);
    return tokens;
  }

  async status(id: string): Promise<VerificationView> {
    const nowMs = this.clock.nowMs();
    const verification = await this.verifications.find(id, nowMs);
    if (verification === null) throw notFound();
    return this.view(verification, nowMs);
  }

  async cancel(id: string): Promise<VerificationView> {
    const nowMs = this.clock.nowMs();
    const verification = await this.verifications.cancel(id, nowMs);
    if (verification === null) throw notFound();
    return this.view(verification, nowMs);
  }

  /**
   * A start() that fails on the store may still run later (Redis queues it): queue its undo right
   * behind it, without waiting, so a retry is not refused for a code that was never sent.
   */
  private async startOrUndo(request: StartVerification): Promise<StartResult> {
    try {
      return await this.verifications.start(request);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'store_unavailable') {
        void this.verifications
          .abandonUnsent(request.phone, request.nowMs, request.resendCooldownSeconds)
          .catch(() => undefined);
      }
      throw error;
    }
  }

  private async deliver(
    verification: Verification,
    code: string,
    locale: string | undefined,
    nowMs: number,
  ): Promise<{ verification: Verification; recorded: Promise<void> }> {
    let routed;
    try {
      routed = await this.router.send(
        {
          verificationId: verification.id,
          to: verification.phone,
          code,
          text: otpText({
            code,
            ttlSeconds: this.config.ttlSeconds,
            appName: this.providers.appName,
            locale,
            originHost: this.providers.originHost,
          }),
          locale,
          ttlSeconds: this.config.ttlSeconds,
          // One key per send of a verification: a retry of this send never makes a second SMS.
          idempotencyKey: `${verification.id}.${verification.sends}`,
        },
        countryOf(verification.phone),
      );
    } catch (error) {
      if (!(error instanceof AllProvidersFailedError)) throw error;
      this.logger.error(`sending to ${maskPhone(verification.phone)} failed: ${error.message}`);
      // Nobody received this code: leave no pending verification behind, and let the person retry at once.
      await this.verifications.abandon(verification.id, nowMs);
      throw new DomainError('provider_unavailable', 'The code could not be sent. Try again shortly.', { retryAfterSeconds: 1 }, { cause: error });
    }
    const { provider, dispatch } = routed;
    const recorded = {
      ...verification,
      provider: provider.name,
      providerRef: dispatch.providerRef ?? '',
      codeHash: provider.ownsCodes ? '' : verification.codeHash,
    };
    const dispatchRecorded = this.verifications.recordDispatch({
      id: verification.id,
      provider: recorded.provider,
      providerRef: recorded.providerRef,
      providerOwnsCode: provider.ownsCodes,
      nowMs,
    });
    return { verification: recorded, recorded: dispatchRecorded };
  }

  /** A verification whose provider owns the code: its attempt is already counted; the provider decides. */
  private async checkWithProvider(verification: Verification, code: string, nowMs: number): Promise<Verification> {
    const settle = (verdict: 'approved' | 'rejected' | 'refund') =>
      this.verifications.settle({ id: verification.id, verdict, nowMs, phoneFailureWindowSeconds: this.config.phoneFailureWindowSeconds });
    let verdict;
    try {
      verdict = await this.router.check(verification.provider, { providerRef: verification.providerRef, to: verification.phone, code });
    } catch (error) {
      this.logger.error(`checking a code for ${maskPhone(verification.phone)} failed: ${(error as Error).message}`);
      await settle('refund');
      throw new DomainError('provider_unavailable', 'The code could not be checked. Try again shortly.', { retryAfterSeconds: 1 }, { cause: error });
    }
    if (verdict === 'expired') {
      await settle('refund');
      throw new DomainError('verification_expired', 'The code has expired. Ask for a new one.');
    }
    return this.settledOrThrow(await settle(verdict));
  }

  private settledOrThrow(result: SettleResult): Verification {
    switch (result.outcome) {
      case 'approved':
        return result.verification;
      case 'wrong_code':
        return this.approvedOrThrow(result);
      case 'refunded':
      case 'not_found':
        throw notFound();
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
        throw notFound();
      case 'expired':
        throw new DomainError('verification_expired', 'The code has expired. Ask for a new one.');
      case 'max_attempts':
        throw new DomainError('max_attempts_reached', 'Too many wrong codes for this verification. Ask for a new one.', {
          attemptsRemaining: 0,
          retryAfterSeconds: toSeconds(result.retryAfterMs),
        });
      case 'phone_locked':
        this.logger.warn('verify refused: the phone has used up its wrong codes');
        throw phoneLocked(result.retryAfterMs);
    }
  }

  private view(verification: Verification, nowMs: number): VerificationView {
    return {
      verification,
      status: effectiveStatus(verification, nowMs, this.config.maxAttempts),
      attemptsRemaining: Math.max(0, this.config.maxAttempts - verification.attempts),
    };
  }
}

function notFound(): DomainError {
  return new DomainError('verification_not_found', 'No open verification matches. Ask for a new code.');
}

function phoneLocked(retryAfterMs: number): DomainError {
  return new DomainError('max_attempts_reached', 'Too many wrong codes for this phone number. Try again later.', {
    attemptsRemaining: 0,
    retryAfterSeconds: toSeconds(retryAfterMs),
  });
}

function toSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

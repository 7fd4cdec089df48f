import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Caller } from '../clients/caller.decorator.js';
import { DomainError } from '../common/errors/domain.error.js';
import { maskPhone, toE164 } from '../common/phone/phone-number.js';
import { appConfig } from '../config/app.config.js';
import { verificationExpired } from '../otp/otp.errors.js';
import { LOGIN_SCOPE, type Verification, type VerificationScope } from '../otp/verification.js';
import { CheckedCode, OpenedVerification, VerificationService, VerificationTarget, VerificationView } from '../otp/verification.service.js';
import type { Channel } from '../common/channel.js';
import { CodeDelivery, Delivered, TEST_NUMBER_PROVIDER } from '../providers/code-delivery.service.js';
import type { Confirmation } from '../providers/otp-message.js';
import type { ChannelChoice } from '../providers/providers.config.js';
import { SessionService, TokenPair } from '../sessions/session.service.js';
import { SendPolicy } from '../throttling/send-policy.js';
import { LoginMetrics } from './login-metrics.js';

export interface SendRequest {
  phone: string;
  country?: string;
  locale?: string;
  /** `sms` when absent. */
  channel?: ChannelChoice;
  /** A login's when absent; a step-up or phone change binds the code to its session. */
  scope?: VerificationScope;
  /** What a step-up code confirms, shown in the text. */
  confirming?: Confirmation;
}

/** A verification as the send left it, and the channels the person may switch to on a resend. */
export interface SentCode {
  view: VerificationView;
  channels: Channel[];
}

export interface VerifyRequest {
  verificationId?: string;
  phone?: string;
  country?: string;
  code: string;
}

/**
 * The two use cases of a phone login. Send: the abuse rules admit the phone, the store opens the
 * verification (before anything is sent: if the store is down, no SMS goes out), a provider
 * delivers, the store and the rules record it. Verify: the store checks the code in one atomic
 * step (or the provider that made it does), and the one right answer opens a session.
 */
@Injectable()
export class LoginService {
  private readonly logger = new Logger(LoginService.name);

  constructor(
    private readonly verifications: VerificationService,
    private readonly delivery: CodeDelivery,
    private readonly policy: SendPolicy,
    private readonly sessions: SessionService,
    private readonly metrics: LoginMetrics,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  /** Sends a new code, or resends to the phone's open verification (same id, same attempts; the channel may change). */
  send(request: SendRequest): Promise<SentCode> {
    return this.metrics.send(this.sendCode(request));
  }

  /** The channels a number's country is offered, in order (`auto` tries them so). */
  channelsFor(country: string | undefined): Channel[] {
    return this.delivery.offeredIn(country);
  }

  /** Checks a code; the one right answer opens a session and returns its tokens. */
  verify(request: VerifyRequest, caller: Partial<Caller>): Promise<TokenPair> {
    return this.metrics.verify(this.verifyCode(request, caller));
  }

  private async sendCode(request: SendRequest): Promise<SentCode> {
    const phone = toE164(request.phone, request.country ?? this.app.defaultCountry);
    // A channel not on offer is refused before anything is stored.
    const channels = this.delivery.plan(phone, request.channel ?? 'sms');
    const offered = this.delivery.offered(phone);
    const testCode = this.delivery.testCodeOf(phone);
    if (testCode !== undefined) {
      const fixed = { code: testCode, provider: TEST_NUMBER_PROVIDER };
      const { verification } = await this.verifications.open(phone, channels[0], fixed, request.scope);
      this.logger.log(`[test number] code for ${maskPhone(phone)} not sent: it is fixed`);
      return { view: this.verifications.view(verification), channels: offered };
    }
    this.policy.screen(phone);
    // Before the store is touched: a refused send writes nothing, and a pending code stays as it is.
    await this.policy.admit(phone);
    const opened = await this.verifications.open(phone, channels[0], undefined, request.scope);
    const delivered = await this.deliverOrAbandon(opened, request, channels);
    // Two keys in two slots: sent together, one round trip.
    const [verification] = await Promise.all([this.verifications.markDispatched(opened, delivered), this.policy.recordSent(phone)]);
    this.logger.log(`code ${opened.resent ? 'resent' : 'sent'} to ${maskPhone(phone)} by ${delivered.channel} via ${verification.provider}`);
    return { view: this.verifications.view(verification, opened.nowMs), channels: offered };
  }

  /** Spends the send's budget and delivers; a refusal or a failed delivery leaves no pending code behind. */
  private async deliverOrAbandon(opened: OpenedVerification, { locale, confirming }: SendRequest, channels: Channel[]): Promise<Delivered> {
    const { verification, code } = opened;
    try {
      await this.policy.spend(verification.phone);
    } catch (error) {
      await this.verifications.abandon(opened);
      throw error;
    }
    try {
      return await this.delivery.deliver({
        verificationId: verification.id,
        sendNumber: verification.sends,
        phone: verification.phone,
        code,
        locale,
        confirming,
        channels,
        admitFallThrough: (channel) => this.verifications.chargeChannel(opened, channel),
      });
    } catch (error) {
      // provider_unavailable: nobody received this code. Anything else is a fault of ours, left as it was.
      if (error instanceof DomainError) await this.verifications.abandon(opened);
      throw error;
    }
  }

  /**
   * Checks a code sent under `scope` (a step-up's or phone change's: its purpose and session) and
   * records the conversion; opens no session. The approved verification carries the scope's context.
   */
  confirm(request: VerifyRequest, scope: VerificationScope): Promise<Verification> {
    return this.metrics.verify(
      this.approve(request, scope).then(async (verification) => {
        if (verification.provider !== TEST_NUMBER_PROVIDER) await this.policy.recordVerified(verification.phone);
        return verification;
      }),
    );
  }

  private async approve(request: VerifyRequest, scope: VerificationScope): Promise<Verification> {
    if ((request.verificationId === undefined) === (request.phone === undefined)) {
      throw new DomainError('validation_failed', 'Pass either verificationId or phone, not both.', {
        errors: [{ field: 'verificationId', message: 'exactly one of verificationId and phone is required' }],
      });
    }
    // Providers that make their own codes may use another length.
    if (!this.delivery.anyOwnsCodes) this.verifications.assertWellFormed(request.code);
    const checked = await this.verifications.check(this.targetOf(request), request.code, scope);
    const verification =
      checked.outcome === 'approved' ? checked.verification : await this.checkWithProvider(checked, request.code);
    this.logger.log(`code verified for ${maskPhone(verification.phone)}${scope.purpose === 'login' ? '' : ` (${scope.purpose})`}`);
    return verification;
  }

  private async verifyCode(request: VerifyRequest, caller: Partial<Caller>): Promise<TokenPair> {
    const verification = await this.approve(request, LOGIN_SCOPE);
    // The fraud counter and the session are independent: sent together.
    const [tokens] = await Promise.all([
      this.sessions.start(verification.phone, caller, verification.channel),
      verification.provider === TEST_NUMBER_PROVIDER ? undefined : this.policy.recordVerified(verification.phone),
    ]);
    return tokens;
  }

  private targetOf(request: VerifyRequest): VerificationTarget {
    if (request.verificationId !== undefined) return { id: request.verificationId };
    return { phone: toE164(request.phone ?? '', request.country ?? this.app.defaultCountry) };
  }

  /** A verification whose provider owns the code: its attempt is already counted; the provider decides. */
  private async checkWithProvider(reserved: CheckedCode, code: string): Promise<Verification> {
    const { verification } = reserved;
    let verdict;
    try {
      verdict = await this.delivery.check(verification.channel, verification.provider, { providerRef: verification.providerRef, phone: verification.phone, code });
    } catch (error) {
      await this.verifications.refund(reserved);
      throw error;
    }
    if (verdict === 'expired') {
      await this.verifications.refund(reserved);
      throw verificationExpired();
    }
    return this.verifications.settle(reserved, verdict);
  }
}

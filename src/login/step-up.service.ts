import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DomainError } from '../common/errors/domain.error.js';
import { maskPhone, toE164 } from '../common/phone/phone-number.js';
import { Clock } from '../common/time/clock.js';
import { appConfig } from '../config/app.config.js';
import { verificationNotFound } from '../otp/otp.errors.js';
import type { VerificationScope } from '../otp/verification.js';
import type { ChannelChoice } from '../providers/providers.config.js';
import { SessionService } from '../sessions/session.service.js';
import type { Session } from '../sessions/session.js';
import { StepUpReceipt, StepUpReceiptService, type StepUpBinding } from '../sessions/step-up-receipt.service.js';
import { LoginService, SentCode } from './login.service.js';

export interface StepUpSend extends StepUpBinding {
  /** Absent, or the session's own number (any format `country` parses). */
  phone?: string;
  country?: string;
  locale?: string;
  channel?: ChannelChoice;
}

export interface StepUpVerify {
  verificationId?: string;
  /** Absent, or the session's own number. */
  phone?: string;
  country?: string;
  code: string;
}

/**
 * Step-up verification: a signed-in person proves possession of their phone again before an action
 * (a payment, a settings change). The code goes to the session's own phone under every send rule,
 * bound to that session and to what it confirms; the right code opens no session but returns a
 * short-lived signed receipt naming that action, amount and payee.
 */
@Injectable()
export class StepUpService {
  private readonly logger = new Logger(StepUpService.name);

  constructor(
    private readonly login: LoginService,
    private readonly sessions: SessionService,
    private readonly receipts: StepUpReceiptService,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async send(accessToken: string, request: StepUpSend): Promise<SentCode> {
    const { session } = await this.sessions.authenticateSession(accessToken);
    this.assertOwnPhone(session, request);
    const binding = bindingOf(request);
    const amount = binding.amount && `${binding.amount.currency} ${binding.amount.value}`;
    return this.login.send({
      phone: session.phone,
      locale: request.locale,
      channel: request.channel,
      scope: scopeOf(session, binding),
      confirming: { action: binding.action, amount, payee: binding.payee },
    });
  }

  async verify(accessToken: string, request: StepUpVerify): Promise<StepUpReceipt> {
    const { session } = await this.sessions.authenticateSession(accessToken);
    this.assertOwnPhone(session, request);
    // Neither id nor phone: the session's phone's open step-up.
    const target = request.verificationId === undefined ? { phone: session.phone } : { verificationId: request.verificationId };
    const verification = await this.login.confirm({ ...target, code: request.code }, scopeOf(session));
    const { sub, ...binding } = JSON.parse(verification.context || '{}') as StepUpBinding & { sub?: string };
    // The session binding already implies the user; a context naming another is never honoured.
    if (sub !== session.userId) throw verificationNotFound();
    const receipt = this.receipts.issue({ userId: session.userId, sessionId: session.id, channel: verification.channel, ...binding }, this.clock.nowMs());
    this.logger.log(`step-up receipt issued for ${maskPhone(session.phone)}${binding.action ? ` (${binding.action})` : ''}`);
    return receipt;
  }

  /** A step-up code goes only to the session's own number; a body naming another is refused, not redirected. */
  private assertOwnPhone(session: Session, request: { phone?: string; country?: string }): void {
    if (request.phone === undefined) return;
    if (toE164(request.phone, request.country ?? this.app.defaultCountry) === session.phone) return;
    throw new DomainError('validation_failed', 'A step-up code goes to the number of the signed-in session.', {
      errors: [{ field: 'phone', message: 'phone must be absent or the session\'s own number' }],
    });
  }
}

function bindingOf({ action, amount, payee }: StepUpBinding): StepUpBinding {
  const binding: StepUpBinding = {};
  if (action !== undefined) binding.action = action;
  if (amount !== undefined) binding.amount = { currency: amount.currency, value: amount.value };
  if (payee !== undefined) binding.payee = payee;
  return binding;
}

/** The step-up's scope: its session, and (on send) the user and what the code confirms, read back on verify. */
function scopeOf(session: Session, binding?: StepUpBinding): VerificationScope {
  return { purpose: 'step_up', sessionId: session.id, context: binding && JSON.stringify({ sub: session.userId, ...binding }) };
}

/** A login's send carries no step-up fields: they would be silently dropped. */
export function assertNoStepUpFields(request: StepUpBinding): void {
  const named = (['action', 'amount', 'payee'] as const).filter((field) => request[field] !== undefined);
  if (named.length === 0) return;
  throw new DomainError('validation_failed', 'action, amount and payee go with purpose "step_up" only.', {
    errors: named.map((field) => ({ field, message: `${field} needs purpose step_up` })),
  });
}

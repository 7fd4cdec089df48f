import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Caller } from '../clients/caller.decorator.js';
import { DomainError } from '../common/errors/domain.error.js';
import { toE164 } from '../common/phone/phone-number.js';
import { appConfig } from '../config/app.config.js';
import { verificationNotFound } from '../otp/otp.errors.js';
import type { VerificationScope } from '../otp/verification.js';
import type { ChannelChoice } from '../providers/providers.config.js';
import type { Session } from '../sessions/session.js';
import { SessionService, TokenPair } from '../sessions/session.service.js';
import { LoginService, SentCode } from './login.service.js';

export interface PhoneChangeSend {
  /** The new number. */
  phone: string;
  country?: string;
  channel?: ChannelChoice;
  locale?: string;
}

/**
 * A signed-in person moves to a new number: a code goes to the new number under every send rule,
 * bound to the session that asked; the right code moves the user (same id) and answers with a
 * fresh session on the new number. Whether the number belongs to someone else is told only then,
 * to the one who just proved they hold it (`phone_in_use`), never at the send.
 */
@Injectable()
export class PhoneChangeService {
  constructor(
    private readonly login: LoginService,
    private readonly sessions: SessionService,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async send(accessToken: string, request: PhoneChangeSend): Promise<SentCode> {
    const { session } = await this.sessions.authenticateSession(accessToken);
    if (toE164(request.phone, request.country ?? this.app.defaultCountry) === session.phone) {
      throw new DomainError('validation_failed', 'This is already the number of the account.', {
        errors: [{ field: 'phone', message: 'phone must be a number other than the account\'s' }],
      });
    }
    return this.login.send({ ...request, scope: scopeOf(session, true) });
  }

  async verify(accessToken: string, request: { verificationId: string; code: string }, caller: Partial<Caller>): Promise<TokenPair> {
    const { session } = await this.sessions.authenticateSession(accessToken);
    const verification = await this.login.confirm(request, scopeOf(session));
    const { sub } = JSON.parse(verification.context || '{}') as { sub?: string };
    if (sub !== session.userId) throw verificationNotFound();
    return this.sessions.changePhone(session, verification.phone, caller, verification.channel);
  }
}

function scopeOf(session: Session, withContext = false): VerificationScope {
  return { purpose: 'phone_change', sessionId: session.id, context: withContext ? JSON.stringify({ sub: session.userId }) : undefined };
}

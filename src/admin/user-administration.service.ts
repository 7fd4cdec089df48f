import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AdminAudit } from '../clients/admin-audit.js';
import type { ApiClient } from '../clients/api-client.js';
import { maskPhone, toE164 } from '../common/phone/phone-number.js';
import { appConfig } from '../config/app.config.js';
import { VerificationService } from '../otp/verification.service.js';
import { UsersService, UserView } from '../sessions/users.service.js';

/**
 * Operators' acts on users, each audited: the user's record and sessions (UsersService) and the
 * phone's side of a ban (VerificationService: sends and verifies of the number refused inside
 * the scripts they already run, so the login paths gain no round trip).
 */
@Injectable()
export class UserAdministration {
  constructor(
    private readonly users: UsersService,
    private readonly verifications: VerificationService,
    private readonly audit: AdminAudit,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async find(actor: ApiClient | undefined, userId: string): Promise<UserView> {
    const user = await this.users.find(userId);
    this.audit.record(actor, 'look_up_user', `looked up user ${user.id}`);
    return user;
  }

  async findByPhone(actor: ApiClient | undefined, phone: string, country?: string): Promise<UserView> {
    const e164 = toE164(phone, country ?? this.app.defaultCountry);
    const user = await this.users.findByPhone(e164);
    this.audit.record(actor, 'look_up_user', `looked up user ${user.id} by number ${maskPhone(e164)}`);
    return user;
  }

  /**
   * The record first (a login in flight finds the ban), then the phone (sends and verifies
   * refused), then the sessions end (UsersService.ban does the first and the last in that order).
   */
  async ban(actor: ApiClient | undefined, userId: string, ban: { untilMs: number | null; reason: string }): Promise<UserView> {
    const { user, sessionsEnded } = await this.users.ban(userId, ban);
    await this.verifications.banPhone(user.phone, ban.untilMs);
    const until = ban.untilMs === null ? 'until lifted' : `until ${new Date(ban.untilMs).toISOString()}`;
    this.audit.record(actor, 'ban_user', `banned user ${user.id} ${until}; ${sessionsEnded} session(s) ended`);
    return user;
  }

  async unban(actor: ApiClient | undefined, userId: string): Promise<UserView> {
    const user = await this.users.unban(userId);
    await this.verifications.liftPhoneBan(user.phone);
    this.audit.record(actor, 'unban_user', `lifted the ban of user ${user.id}`);
    return user;
  }

  /**
   * Every key of the user goes: the number's ban, number index, record (a short-lived tombstone
   * stays), sessions and their index. The ban goes first (while the record lives it still refuses
   * logins), so a stop at any step leaves either a live record or only sessions, and running the
   * erasure again completes it.
   */
  async erase(actor: ApiClient | undefined, userId: string): Promise<void> {
    const record = await this.users.findRecord(userId);
    if (record !== null) await this.verifications.liftPhoneBan(record.phone);
    const { sessionsEnded } = await this.users.erase(userId);
    this.audit.record(actor, 'erase_user', `erased user ${userId}; ${sessionsEnded} session(s) ended`);
  }
}

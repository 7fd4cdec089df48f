import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain.error.js';
import { Clock } from '../common/time/clock.js';
import type { SessionRevokedReason } from '../events/event-types.js';
import { Metrics } from '../metrics/metrics.service.js';
import { SessionRepository } from './session.repository.js';
import { UserBan, UserRecord, UserRepository } from './user.repository.js';

/** A user as operators see it: the record and how many sessions are live now. */
export interface UserView extends UserRecord {
  sessionCount: number;
}

/**
 * Users as records, for operators: look up, ban (the record's side: its sessions end), unban,
 * erase. The phone's side of a ban (refused sends and verifies) is the verification state's.
 */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /** Throws not_found for an unknown or erased user. */
  async find(userId: string): Promise<UserView> {
    const nowMs = this.clock.nowMs();
    return this.withSessions(await this.users.find(userId, nowMs), nowMs);
  }

  /** Throws not_found when no user has the number. */
  async findByPhone(phone: string): Promise<UserView> {
    const nowMs = this.clock.nowMs();
    return this.withSessions(await this.users.findByPhone(phone, nowMs), nowMs);
  }

  /**
   * Bans the user from now until `untilMs` (null: until lifted) and ends every session. The record
   * is written first: a login in flight that writes its session after it finds the ban there.
   */
  async ban(userId: string, ban: { untilMs: number | null; reason: string }): Promise<{ user: UserView; sessionsEnded: number }> {
    const nowMs = this.clock.nowMs();
    if (ban.untilMs !== null && ban.untilMs <= nowMs) {
      throw new DomainError('validation_failed', 'A ban must end in the future.', { errors: [{ field: 'until', message: 'must be in the future' }] });
    }
    const banned: UserBan = { sinceMs: nowMs, untilMs: ban.untilMs, reason: ban.reason };
    const record = orNotFound(await this.users.ban(userId, banned));
    const sessionsEnded = await this.endSessions(userId, nowMs, 'ban');
    return { user: { ...record, sessionCount: 0 }, sessionsEnded };
  }

  async unban(userId: string): Promise<UserView> {
    const nowMs = this.clock.nowMs();
    return this.withSessions(await this.users.unban(userId, nowMs), nowMs);
  }

  /**
   * Erases the user: the number's index and the record go first (the number's next login makes a
   * new user; a login in flight finds the tombstone), then every session ends. An erasure that
   * stopped after the record went (the store failed over) is run again here: the record is a
   * tombstone then (erased is null), and the sessions still end. Throws not_found when there was
   * no record to erase and no session to end.
   */
  async erase(userId: string): Promise<{ erased: UserRecord | null; sessionsEnded: number }> {
    const nowMs = this.clock.nowMs();
    const erased = await this.users.erase(userId, nowMs);
    const sessionsEnded = await this.endSessions(userId, nowMs, 'erasure');
    if (erased === null && sessionsEnded === 0) throw new DomainError('not_found', 'No such user.');
    return { erased, sessionsEnded };
  }

  /** The user's record, or null for an unknown or erased user. */
  async findRecord(userId: string): Promise<UserRecord | null> {
    return this.users.find(userId, this.clock.nowMs());
  }

  private async endSessions(userId: string, nowMs: number, reason: SessionRevokedReason): Promise<number> {
    const count = await this.sessions.revokeAllForUser(userId, nowMs, reason);
    this.metrics.sessions.inc({ event: 'revoked' }, count);
    this.logger.log(`revoked ${count} session(s) of user ${userId}`);
    return count;
  }

  private async withSessions(record: UserRecord | null, nowMs: number): Promise<UserView> {
    const found = orNotFound(record);
    return { ...found, sessionCount: (await this.sessions.listByUser(found.id, nowMs)).length };
  }
}

function orNotFound(record: UserRecord | null): UserRecord {
  if (record === null) throw new DomainError('not_found', 'No such user.');
  return record;
}

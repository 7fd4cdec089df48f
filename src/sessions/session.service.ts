import type { Channel } from '../common/channel.js';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomBase64Url } from '../common/random/random-pool.js';
import type { Caller } from '../clients/caller.decorator.js';
import { DomainError } from '../common/errors/domain.error.js';
import { phoneInUse } from '../common/errors/phone-in-use.js';
import { userBanned } from '../common/errors/user-banned.js';
import { maskPhone } from '../common/phone/phone-number.js';
import { Clock } from '../common/time/clock.js';
import { Metrics } from '../metrics/metrics.service.js';
import { sessionsConfig } from './sessions.config.js';
import { AccessTokenClaims, AccessTokenService } from './access-token.service.js';
import { hashRefreshSecret, MAX_GENERATION, RefreshTokens } from './refresh-token.js';
import { Session } from './session.js';
import { SessionRepository } from './session.repository.js';
import { LoginRecorded, UserRepository } from './user.repository.js';
import type { SessionRevokedReason } from '../events/event-types.js';

export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  sessionId: string;
  user: { id: string; phone: string };
}

@Injectable()
export class SessionService {
  private readonly logger = new Logger(SessionService.name);

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokens,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    @Inject(sessionsConfig.KEY) private readonly config: ConfigType<typeof sessionsConfig>,
  ) {}

  /** Opens a session for a phone that has just proven possession by a code sent on `channel`, and issues its first token pair. */
  async start(phone: string, caller: Partial<Caller>, channel: Channel = 'sms'): Promise<TokenPair> {
    const nowMs = this.clock.nowMs();
    let opened = await this.open(phone, caller, channel, nowMs);
    if (opened.recorded === 'moved') {
      // The index that named this user is stale (a phone change stopped halfway): the record is
      // the truth, so the number is released and the login goes on as the number's new user.
      await this.users.releasePhone(phone, opened.session.userId);
      this.logger.warn(`stale phone index of ${maskPhone(phone)} released: its user moved to another number`);
      opened = await this.open(phone, caller, channel, nowMs);
    }
    const { session, secret, recorded } = opened;
    if (recorded !== 'recorded') {
      this.logger.warn(`login refused after its code: user ${session.userId} was ${recorded} meanwhile`);
      throw recorded === 'banned' ? userBanned() : new DomainError('verification_not_found', 'This code can no longer be used; ask for a new one.');
    }
    this.logger.log(`session started for ${maskPhone(phone)}${caller.clientId ? ` by client ${caller.clientId}` : ''}`);
    this.metrics.sessions.inc({ event: 'issued' });
    return this.tokenPair(session, secret, nowMs);
  }

  /** Writes a session for the phone's user, then stamps the login on the record; a refused login's session is ended. */
  private async open(phone: string, caller: Partial<Caller>, channel: Channel, nowMs: number) {
    const userId = await this.users.findOrCreate(phone, `usr_${randomBase64Url(16)}`);
    const id = `ses_${randomBase64Url(16)}`;
    const secret = this.refreshTokens.mint(id, 0);
    const session: Session = {
      id,
      userId,
      phone,
      refreshTokenHash: hashRefreshSecret(secret),
      refreshTokenGeneration: 0,
      rotatedAtMs: 0,
      channel,
      clientId: caller.clientId,
      userAgent: caller.userAgent,
      ip: caller.ip,
      createdAtMs: nowMs,
      lastUsedAtMs: nowMs,
      expiresAtMs: nowMs + this.config.refreshTokenTtlSeconds * 1000,
      idleExpiresAtMs: nowMs + Math.min(this.config.refreshTokenIdleTtlSeconds, this.config.refreshTokenTtlSeconds) * 1000,
    };
    // The session (and its index entry) is written before the record is read, never beside it: a
    // ban or erasure either finds the session when it ends the user's sessions, or is found here.
    // Sent together, the record could be read before the ban while the session lands after the
    // ban's sweep (a retried write, another Cluster node), leaving a banned user a live session.
    await this.sessions.create(session);
    const recorded = await this.users.recordLogin(userId, phone, nowMs);
    // An operator banned or erased the user while this login was in flight, or the index was stale: the session goes.
    if (recorded !== 'recorded') await this.sessions.revoke(id, nowMs, REFUSED_LOGIN_REASON[recorded]);
    return { session, secret, recorded };
  }

  /**
   * Exchanges a refresh token for a new pair; the presented token is spent. A token whose MAC does
   * not check out is refused before the store is asked: a forgery can never revoke a session.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const presented = this.refreshTokens.parse(refreshToken);
    if (presented === null || presented.generation === MAX_GENERATION) throw invalidRefreshToken();
    const { sessionId, generation } = presented;
    const nowMs = this.clock.nowMs();
    const secret = this.refreshTokens.mint(sessionId, generation + 1);
    const result = await this.sessions.rotate({
      sessionId,
      generation,
      presentedHash: hashRefreshSecret(presented.secret),
      newHash: hashRefreshSecret(secret),
      nowMs,
      idleTtlSeconds: this.config.refreshTokenIdleTtlSeconds,
      reuseGraceSeconds: this.config.refreshTokenReuseGraceSeconds,
    });
    switch (result.outcome) {
      case 'rotated':
        this.metrics.sessions.inc({ event: 'refreshed' });
        return this.tokenPair(result.session, secret, nowMs);
      case 'reused':
        this.metrics.sessions.inc({ event: 'reuse_detected' });
        this.logger.warn(`spent refresh token presented again: session revoked for user ${result.userId}`);
        throw new DomainError(
          'refresh_token_reused',
          'This refresh token was already used. The session has been ended; sign in again.',
        );
      case 'just_rotated':
        throw new DomainError(
          'invalid_refresh_token',
          'This refresh token was exchanged moments ago by another request; use the token that request received.',
        );
      case 'invalid':
        throw invalidRefreshToken();
    }
  }

  /** Validates an access token and the liveness of its session; throws `unauthorized` otherwise. */
  async authenticate(accessToken: string): Promise<AccessTokenClaims> {
    return (await this.authenticateSession(accessToken)).claims;
  }

  /** As authenticate(), with the live session itself (its current phone, its channel). */
  async authenticateSession(accessToken: string): Promise<{ claims: AccessTokenClaims; session: Session }> {
    const nowMs = this.clock.nowMs();
    const claims = await this.accessTokens.verify(accessToken, nowMs);
    const session = await this.sessions.find(claims.sid, nowMs);
    if (session === null || session.userId !== claims.sub) {
      throw new DomainError('unauthorized', 'The session of this access token has ended.');
    }
    return { claims, session };
  }

  /**
   * Moves the session's user to `newPhone` (already proven by a code in this session), keeping the
   * user id. The session is replaced by a new one on the new number (fresh tokens; the old refresh
   * token stops working). The user's other sessions end, or with PHONE_CHANGE_ENDS_SESSIONS=false
   * are kept and moved to the new number (their next tokens carry it).
   */
  async changePhone(session: Session, newPhone: string, caller: Partial<Caller>, channel: Channel): Promise<TokenPair> {
    const nowMs = this.clock.nowMs();
    const change = await this.users.changePhone(session.userId, newPhone, nowMs);
    if (change.outcome === 'phone_in_use') throw phoneInUse();
    if (change.outcome === 'not_found') throw new DomainError('unauthorized', 'The session of this access token has ended.');
    if (this.config.phoneChangeEndsSessions) {
      const ended = await this.sessions.revokeAllForUser(session.userId, nowMs, 'phone_change');
      this.metrics.sessions.inc({ event: 'revoked' }, ended);
    } else {
      await this.sessions.revoke(session.id, nowMs, 'phone_change');
      const others = await this.sessions.listByUser(session.userId, nowMs);
      await Promise.all(others.map((other) => this.sessions.setPhone(other.id, newPhone, nowMs)));
    }
    this.logger.log(`user ${session.userId} moved from ${maskPhone(change.previousPhone)} to ${maskPhone(newPhone)}`);
    return this.start(newPhone, { ...caller, clientId: session.clientId }, channel);
  }

  /** RFC 7662: the claims of a live access token, or only `active: false` for anything else. */
  async introspect(token: string): Promise<({ active: true } & AccessTokenClaims) | { active: false }> {
    try {
      return { active: true, ...(await this.authenticate(token)) };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'unauthorized') return { active: false };
      throw error;
    }
  }

  list(userId: string): Promise<Session[]> {
    return this.sessions.listByUser(userId, this.clock.nowMs());
  }

  /** Ends one of the user's own sessions; another user's session id is `not_found`, as an unknown one. */
  async revokeOwn(userId: string, sessionId: string): Promise<void> {
    const nowMs = this.clock.nowMs();
    const session = await this.sessions.find(sessionId, nowMs);
    if (session === null || session.userId !== userId) {
      throw new DomainError('not_found', 'No such session.');
    }
    await this.sessions.revoke(sessionId, nowMs, 'logout');
    this.metrics.sessions.inc({ event: 'revoked' });
    this.logger.log(`session revoked by its user ${userId}`);
  }

  async revokeAll(userId: string): Promise<number> {
    const count = await this.sessions.revokeAllForUser(userId, this.clock.nowMs(), 'admin');
    this.metrics.sessions.inc({ event: 'revoked' }, count);
    this.logger.log(`revoked ${count} session(s) of user ${userId}`);
    return count;
  }

  private tokenPair(session: Session, secret: string, nowMs: number): TokenPair {
    const accessToken = this.accessTokens.sign(
      {
        userId: session.userId,
        sessionId: session.id,
        phone: session.phone,
        authTimeSeconds: Math.floor(session.createdAtMs / 1000),
        channel: session.channel,
        clientId: session.clientId,
      },
      nowMs,
    );
    return {
      tokenType: 'Bearer',
      accessToken,
      expiresIn: this.accessTokens.ttlSeconds,
      refreshToken: `${session.id}.${secret}`,
      refreshExpiresIn: Math.floor((Math.min(session.expiresAtMs, session.idleExpiresAtMs) - nowMs) / 1000),
      sessionId: session.id,
      user: { id: session.userId, phone: session.phone },
    };
  }
}

/** Why a login's own session ends when its user turned out banned, erased or moved to another number meanwhile. */
const REFUSED_LOGIN_REASON: Record<Exclude<LoginRecorded, 'recorded'>, SessionRevokedReason> = { banned: 'ban', erased: 'erasure', moved: 'phone_change' };

function invalidRefreshToken(): DomainError {
  return new DomainError('invalid_refresh_token', 'The refresh token is invalid or expired.');
}

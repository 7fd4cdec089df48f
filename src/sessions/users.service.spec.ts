import { JwtService } from '@nestjs/jwt';
import type { ConfigType } from '@nestjs/config';
import { DomainError } from '../common/errors/domain.error.js';
import { KeyDerivation } from '../common/secrets/key-derivation.js';
import { Clock, SystemClock } from '../common/time/clock.js';
import { InMemoryEventLog } from '../events/in-memory-event-log.js';
import { Metrics } from '../metrics/metrics.service.js';
import { AccessTokenService } from './access-token.service.js';
import { InMemorySessionRepository } from './in-memory-session.repository.js';
import { InMemoryUserRepository } from './in-memory-user.repository.js';
import { RefreshTokens } from './refresh-token.js';
import type { Session } from './session.js';
import { SessionService } from './session.service.js';
import { sessionsConfig } from './sessions.config.js';
import { JwtSigner } from './jwt-signer.js';
import { SigningKeys } from './signing-keys.js';
import { UsersService } from './users.service.js';

class StepClock extends Clock {
  ms = Date.UTC(2026, 11, 2, 12, 0, 0);
  nowMs() {
    return this.ms;
  }
}

const config = {
  issuer: 'https://auth.example.com',
  audience: 'https://auth.example.com',
  algorithm: 'ES256',
  accessTokenTtlSeconds: 600,
  refreshTokenTtlSeconds: 2_592_000,
  refreshTokenIdleTtlSeconds: 2_592_000,
  refreshTokenReuseGraceSeconds: 10,
  clockToleranceSeconds: 30,
} as ConfigType<typeof sessionsConfig>;

/** The real repositories (in memory); `beforeLogin` runs between a login's user lookup and its writes, as a racing operator would. */
class RacingUsers extends InMemoryUserRepository {
  beforeLogin?: (userId: string) => Promise<unknown>;
  override async findOrCreate(phone: string, newId: string): Promise<string> {
    const id = await super.findOrCreate(phone, newId);
    await this.beforeLogin?.(id);
    return id;
  }
}

/** The real session repository; `beforeCreate` runs before a session is written, as a session write that reaches the store late (a retry, another Cluster node). */
class SlowSessions extends InMemorySessionRepository {
  beforeCreate?: () => Promise<unknown>;
  override async create(session: Session): Promise<void> {
    await this.beforeCreate?.();
    return super.create(session);
  }
}

function setup() {
  const clock = new StepClock();
  const events = new InMemoryEventLog(new SystemClock(), 1000);
  const users = new RacingUsers(events);
  const sessions = new SlowSessions(events);
  const metrics = new Metrics();
  const jwt = new JwtService({});
  const signingKeys = SigningKeys.load({ algorithm: 'ES256' });
  const accessTokens = new AccessTokenService(jwt, signingKeys, new JwtSigner(jwt, signingKeys), config);
  const login = new SessionService(users, sessions, accessTokens, new RefreshTokens(KeyDerivation.of('users-spec-secret-of-32-characters!!')), clock, metrics, config);
  return { clock, users, sessions, login, sut: new UsersService(users, sessions, clock, metrics) };
}

const codeOf = async (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => (error instanceof DomainError ? error.code : String(error)));

describe(UsersService.name, () => {
  it('shows a user with the first and last login and the live sessions', async () => {
    const { clock, login, sut } = setup();
    const first = await login.start('+919876543210', {});
    clock.ms += 60_000;
    await login.start('+919876543210', {});
    expect(await sut.find(first.user.id)).toEqual({
      id: first.user.id,
      phone: '+919876543210',
      createdAtMs: clock.ms - 60_000,
      lastLoginAtMs: clock.ms,
      sessionCount: 2,
      ban: null,
    });
    expect(await sut.findByPhone('+919876543210')).toMatchObject({ id: first.user.id, sessionCount: 2 });
    expect(await codeOf(sut.findByPhone('+919876543211'))).toBe('not_found');
  });

  it('ends every session of a user it bans, and refuses a ban ending now or before', async () => {
    const { clock, login, sut } = setup();
    const pair = await login.start('+919876543210', {});
    await login.start('+919876543210', {});
    expect(await codeOf(sut.ban(pair.user.id, { untilMs: clock.ms, reason: 'x' }))).toBe('validation_failed');
    const { user, sessionsEnded } = await sut.ban(pair.user.id, { untilMs: clock.ms + 1000, reason: 'x' });
    expect({ sessionsEnded, sessionCount: user.sessionCount, ban: user.ban }).toEqual({ sessionsEnded: 2, sessionCount: 0, ban: { sinceMs: clock.ms, untilMs: clock.ms + 1000, reason: 'x' } });
    expect(await codeOf(login.refresh(pair.refreshToken))).toBe('invalid_refresh_token');
    expect(await codeOf(sut.ban('usr_AAAAAAAAAAAAAAAAAAAAAA', { untilMs: null, reason: 'x' }))).toBe('not_found');
  });

  it('erases a user: sessions end, the number\'s next login is a new user', async () => {
    const { login, sut } = setup();
    const pair = await login.start('+919876543210', {});
    expect(await sut.erase(pair.user.id)).toMatchObject({ erased: { id: pair.user.id, phone: '+919876543210' }, sessionsEnded: 1 });
    expect(await codeOf(sut.find(pair.user.id))).toBe('not_found');
    expect((await login.start('+919876543210', {})).user.id).not.toBe(pair.user.id);
  });

  it('completes an erasure run again after the sessions failed to end, and answers not_found once all is gone', async () => {
    const { clock, sessions, login, users, sut } = setup();
    const pair = await login.start('+919876543210', {});
    const real = sessions.revokeAllForUser.bind(sessions);
    sessions.revokeAllForUser = async (...args) => {
      sessions.revokeAllForUser = real;
      throw new DomainError('store_unavailable', 'The store is unavailable.');
    };
    expect(await codeOf(sut.erase(pair.user.id))).toBe('store_unavailable');
    // The record is a tombstone; the retry still ends the sessions.
    expect(await sut.erase(pair.user.id)).toEqual({ erased: null, sessionsEnded: 1 });
    expect(await sessions.listByUser(pair.user.id, clock.ms)).toEqual([]);
    expect(await codeOf(login.refresh(pair.refreshToken))).toBe('invalid_refresh_token');
    expect(await users.findByPhone('+919876543210', clock.ms)).toBeNull();
    expect((await login.start('+919876543210', {})).user.id).not.toBe(pair.user.id);
    expect(await codeOf(sut.erase(pair.user.id))).toBe('not_found');
  });
});

describe(SessionService.name, () => {
  it('ends the session of a login that raced a ban of its user, and answers user_banned', async () => {
    const { users, sessions, login, sut, clock } = setup();
    const pair = await login.start('+919876543210', {});
    users.beforeLogin = (userId) => sut.ban(userId, { untilMs: null, reason: 'raced' });
    expect(await codeOf(login.start('+919876543210', {}))).toBe('user_banned');
    expect(await sessions.listByUser(pair.user.id, clock.ms)).toEqual([]);
  });

  it('ends the session of a login whose session write lands after a ban that followed its record stamp', async () => {
    const { sessions, login, sut, clock } = setup();
    const pair = await login.start('+919876543210', {});
    // The ban runs once the login stamped its record but before its session is written.
    sessions.beforeCreate = async () => {
      sessions.beforeCreate = undefined;
      await new Promise((resolve) => setImmediate(resolve));
      await sut.ban(pair.user.id, { untilMs: null, reason: 'raced' });
    };
    const outcome = await codeOf(login.start('+919876543210', {}));
    expect({ outcome, live: await sessions.listByUser(pair.user.id, clock.ms) }).toEqual({ outcome: 'user_banned', live: [] });
  });

  it('ends the session of a login that raced the erasure of its user', async () => {
    const { users, sessions, login, sut, clock } = setup();
    const pair = await login.start('+919876543210', {});
    users.beforeLogin = (userId) => sut.erase(userId);
    expect(await codeOf(login.start('+919876543210', {}))).toBe('verification_not_found');
    expect(await sessions.listByUser(pair.user.id, clock.ms)).toEqual([]);
  });
});

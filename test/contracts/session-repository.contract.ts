import { randomBytes } from 'node:crypto';
import { Session } from '../../src/sessions/session.js';
import type { RecordedEvents, SeenEvent } from '../support/recorded-events.js';
import type { ContractSetup } from './every-store.js';
import { RotateRefreshToken, SessionRepository } from '../../src/sessions/session.repository.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const DAY_MS = 86_400_000;

/** The behaviour every SessionRepository adapter must have; each test uses its own user. */
export function sessionRepositoryContract(
  adapter: string,
  setup: () => Promise<ContractSetup<SessionRepository>>,
): void {
  describe(`SessionRepository contract: ${adapter}`, () => {
    let repository: SessionRepository;
    let events: RecordedEvents;
    let teardown: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ repository, events, teardown } = await setup());
    });
    afterAll(async () => teardown?.());

    const id = (prefix: string) => `${prefix}_${randomBytes(16).toString('base64url')}`;
    const newSession = (overrides: Partial<Session> = {}): Session => ({
      id: id('ses'),
      userId: id('usr'),
      phone: '+919876543210',
      refreshTokenHash: 'h0',
      refreshTokenGeneration: 0,
      rotatedAtMs: 0,
      channel: 'voice',
      userAgent: 'curl/8',
      ip: '203.0.113.7',
      createdAtMs: T0,
      lastUsedAtMs: T0,
      expiresAtMs: T0 + 30 * DAY_MS,
      idleExpiresAtMs: T0 + 7 * DAY_MS,
      ...overrides,
    });
    /** Hashes are `h<generation>` in these tests; the generation is read from the presented one. */
    const generationOf = (hash: string) => (/^h(\d+)$/.exec(hash) ? Number(hash.slice(1)) : 0);
    const rotate = (session: Session, presentedHash: string, newHash: string, nowMs = T0 + 1000, extra: Partial<RotateRefreshToken> = {}) =>
      repository.rotate({
        sessionId: session.id,
        generation: generationOf(presentedHash),
        presentedHash,
        newHash,
        nowMs,
        idleTtlSeconds: 7 * 86400,
        reuseGraceSeconds: 10,
        ...extra,
      });

    it('finds a created session, optional fields included or absent', async () => {
      const session = newSession({ clientId: 'billing' });
      await repository.create(session);
      expect(await repository.find(session.id, T0)).toEqual(session);
      const bare = newSession({ userAgent: undefined, ip: undefined });
      await repository.create(bare);
      expect(await repository.find(bare.id, T0)).toEqual(bare);
    });

    it('does not find a session past its idle or its absolute expiry', async () => {
      const session = newSession();
      await repository.create(session);
      expect(await repository.find(session.id, T0 + 7 * DAY_MS - 1)).not.toBeNull();
      expect(await repository.find(session.id, T0 + 7 * DAY_MS)).toBeNull();
      const short = newSession({ expiresAtMs: T0 + DAY_MS, idleExpiresAtMs: T0 + DAY_MS });
      await repository.create(short);
      expect(await rotate(short, 'h0', 'h1', T0 + DAY_MS)).toEqual({ outcome: 'invalid' });
    });

    it('rotates the current token, spends it and moves the idle expiry', async () => {
      const session = newSession();
      await repository.create(session);
      const result = await rotate(session, 'h0', 'h1', T0 + DAY_MS);
      expect(result).toEqual({
        outcome: 'rotated',
        session: {
          ...session,
          refreshTokenHash: 'h1',
          refreshTokenGeneration: 1,
          rotatedAtMs: T0 + DAY_MS,
          lastUsedAtMs: T0 + DAY_MS,
          idleExpiresAtMs: T0 + 8 * DAY_MS,
        },
      });
      expect((await repository.find(session.id, T0 + 7 * DAY_MS + 1))?.refreshTokenHash).toBe('h1');
    });

    it('never pushes the idle expiry past the absolute one', async () => {
      const session = newSession({ expiresAtMs: T0 + 2 * DAY_MS });
      await repository.create(session);
      const result = await rotate(session, 'h0', 'h1', T0 + DAY_MS);
      expect(result.outcome === 'rotated' && result.session.idleExpiresAtMs).toBe(T0 + 2 * DAY_MS);
    });

    it('refuses the just-rotated token within the grace window without revoking', async () => {
      const session = newSession();
      await repository.create(session);
      await rotate(session, 'h0', 'h1', T0 + 1000);
      expect(await rotate(session, 'h0', 'h2', T0 + 10_999)).toEqual({ outcome: 'just_rotated' });
      expect((await repository.find(session.id, T0 + 11_000))?.refreshTokenHash).toBe('h1');
    });

    it('revokes the whole session when a spent token comes back after the grace window', async () => {
      const session = newSession();
      await repository.create(session);
      await rotate(session, 'h0', 'h1', T0 + 1000);
      expect(await rotate(session, 'h0', 'hx', T0 + 11_000)).toEqual({ outcome: 'reused', userId: session.userId });
      expect(await repository.find(session.id, T0 + 11_000)).toBeNull();
      expect(await rotate(session, 'h1', 'h2', T0 + 12_000)).toEqual({ outcome: 'invalid' });
      expect(await repository.listByUser(session.userId, T0 + 12_000)).toEqual([]);
    });

    it('rotates many times in a row, one generation each, and keeps only the current hash', async () => {
      const session = newSession();
      await repository.create(session);
      for (let generation = 0; generation < 200; generation++) {
        const result = await rotate(session, `h${generation}`, `h${generation + 1}`, T0 + 1000 + generation);
        expect(result.outcome).toBe('rotated');
      }
      const found = await repository.find(session.id, T0 + 2000);
      expect(found).toMatchObject({ refreshTokenHash: 'h200', refreshTokenGeneration: 200, rotatedAtMs: T0 + 1199 });
    });

    it.each([0, 1, 2])('detects reuse of generation %i after three rotations, not only the last one', async (spent) => {
      const session = newSession();
      await repository.create(session);
      await rotate(session, 'h0', 'h1', T0 + 1000);
      await rotate(session, 'h1', 'h2', T0 + 2000);
      await rotate(session, 'h2', 'h3', T0 + 3000);
      expect(await rotate(session, `h${spent}`, 'hx', T0 + 60_000)).toEqual({ outcome: 'reused', userId: session.userId });
      expect(await repository.find(session.id, T0 + 60_000)).toBeNull();
      expect(await rotate(session, 'h3', 'h4', T0 + 61_000)).toEqual({ outcome: 'invalid' });
    });

    it('grants the grace only to the generation the last rotation spent: an older one within it is a reuse', async () => {
      const session = newSession();
      await repository.create(session);
      await rotate(session, 'h0', 'h1', T0 + 1000);
      await rotate(session, 'h1', 'h2', T0 + 20_000);
      expect(await rotate(session, 'h1', 'hx', T0 + 25_000)).toEqual({ outcome: 'just_rotated' });
      expect(await rotate(session, 'h0', 'hx', T0 + 25_000)).toEqual({ outcome: 'reused', userId: session.userId });
      expect(await repository.find(session.id, T0 + 25_000)).toBeNull();
    });

    it('refuses the grace once it is over (the window is half-open) and with a grace of 0', async () => {
      const session = newSession();
      await repository.create(session);
      await rotate(session, 'h0', 'h1', T0 + 1000);
      expect(await rotate(session, 'h0', 'hx', T0 + 1000, { reuseGraceSeconds: 0 })).toEqual({ outcome: 'reused', userId: session.userId });
      const other = newSession();
      await repository.create(other);
      await rotate(other, 'h0', 'h1', T0 + 1000);
      expect(await rotate(other, 'h0', 'hx', T0 + 11_000)).toEqual({ outcome: 'reused', userId: other.userId });
    });

    it('rotates at most once under 20 concurrent refreshes of one token', async () => {
      const session = newSession();
      await repository.create(session);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) => rotate(session, 'h0', `new-${index}`, T0 + 1000)),
      );
      const rotated = results.filter((result) => result.outcome === 'rotated');
      expect(rotated).toHaveLength(1);
      expect(results.filter((result) => result.outcome === 'just_rotated')).toHaveLength(19);
      const winner = rotated[0].outcome === 'rotated' ? rotated[0].session.refreshTokenHash : '';
      expect((await repository.find(session.id, T0 + 2000))?.refreshTokenHash).toBe(winner);
    });

    it('lists a user\'s live sessions oldest first and revokes one', async () => {
      const userId = id('usr');
      const older = newSession({ userId });
      const newer = newSession({ userId, createdAtMs: T0 + 1000, lastUsedAtMs: T0 + 1000 });
      const expired = newSession({ userId, expiresAtMs: T0 + 500, idleExpiresAtMs: T0 + 500 });
      for (const session of [newer, older, expired, newSession()]) await repository.create(session);
      expect((await repository.listByUser(userId, T0 + 2000)).map((session) => session.id)).toEqual([older.id, newer.id]);
      expect((await repository.revoke(older.id, T0 + 2000, 'logout'))?.id).toBe(older.id);
      expect(await repository.revoke(older.id, T0 + 2000, 'logout')).toBeNull();
      expect((await repository.listByUser(userId, T0 + 2000)).map((session) => session.id)).toEqual([newer.id]);
    });

    it('moves a live session to a new phone, keeping all else; a session gone stays gone', async () => {
      const session = newSession();
      await repository.create(session);
      expect(await repository.setPhone(session.id, '+919812345678', T0)).toBe(true);
      expect(await repository.find(session.id, T0)).toEqual({ ...session, phone: '+919812345678' });
      const rotated = await rotate(session, 'h0', 'h1');
      expect(rotated).toMatchObject({ outcome: 'rotated', session: { phone: '+919812345678' } });
      await repository.revoke(session.id, T0 + 2000, 'logout');
      expect(await repository.setPhone(session.id, '+919800000000', T0 + 2000)).toBe(false);
      expect(await repository.find(session.id, T0 + 2000)).toBeNull();
      expect(await repository.setPhone(id('ses'), '+919800000000', T0)).toBe(false);
    });

    it('revokes every session of a user and no one else\'s', async () => {
      const userId = id('usr');
      const mine = [newSession({ userId }), newSession({ userId })];
      const theirs = newSession();
      for (const session of [...mine, theirs]) await repository.create(session);
      expect(await repository.revokeAllForUser(userId, T0, 'admin')).toBe(2);
      for (const session of mine) expect(await repository.find(session.id, T0)).toBeNull();
      expect(await repository.find(theirs.id, T0)).not.toBeNull();
      expect(await repository.revokeAllForUser(userId, T0, 'admin')).toBe(0);
    });

    describe('events', () => {
      /** The events recorded since the last read, about this session. */
      const recordedFor = async (sessionId: string): Promise<SeenEvent[]> =>
        (await events.takeSeen()).filter((event) => event.data.sessionId === sessionId);

      it('records session.created with the client and the amr of the code\'s channel', async () => {
        const session = newSession({ clientId: 'billing' });
        await repository.create(session);
        const bare = newSession({ channel: 'sms' });
        await repository.create(bare);
        const recorded = await events.takeSeen();
        expect(recorded.filter((event) => event.data.sessionId === session.id)).toEqual([
          { type: 'session.created', data: { sessionId: session.id, userId: session.userId, clientId: 'billing', amr: ['tel'] } },
        ]);
        expect(recorded.filter((event) => event.data.sessionId === bare.id)).toEqual([
          { type: 'session.created', data: { sessionId: bare.id, userId: bare.userId, amr: ['sms'] } },
        ]);
      });

      it('records session.revoked with its reason once, and nothing for a session gone or past its expiry', async () => {
        const session = newSession();
        await repository.create(session);
        await events.take();
        await repository.revoke(session.id, T0 + 1000, 'logout');
        await repository.revoke(session.id, T0 + 1000, 'logout');
        expect(await recordedFor(session.id)).toEqual([{ type: 'session.revoked', data: { sessionId: session.id, userId: session.userId, reason: 'logout' } }]);
        const expired = newSession();
        await repository.create(expired);
        await events.take();
        expect(await repository.revoke(expired.id, T0 + 7 * DAY_MS, 'admin')).toBeNull();
        expect(await recordedFor(expired.id)).toEqual([]);
      });

      it('records a spent token\'s reuse and the session\'s end, and nothing for a rotation, a race loser or an invalid token', async () => {
        const session = newSession();
        await repository.create(session);
        await events.take();
        expect(await rotate(session, 'h0', 'h1')).toMatchObject({ outcome: 'rotated' });
        expect(await rotate(session, 'h0', 'h2', T0 + 2000)).toEqual({ outcome: 'just_rotated' });
        expect(await rotate(session, 'h1', 'hX', T0 + 2000, { presentedHash: 'forged' })).toEqual({ outcome: 'invalid' });
        expect(await recordedFor(session.id)).toEqual([]);
        expect(await rotate(session, 'h0', 'h2', T0 + 60_000)).toEqual({ outcome: 'reused', userId: session.userId });
        expect(await rotate(session, 'h0', 'h2', T0 + 60_000)).toEqual({ outcome: 'invalid' });
        expect(await recordedFor(session.id)).toEqual([
          { type: 'session.refresh_reused', data: { sessionId: session.id, userId: session.userId } },
          { type: 'session.revoked', data: { sessionId: session.id, userId: session.userId, reason: 'reuse' } },
        ]);
      });

      it('records one session.revoked per live session when all of a user\'s end', async () => {
        const userId = id('usr');
        const mine = [newSession({ userId }), newSession({ userId })];
        for (const session of mine) await repository.create(session);
        await events.take();
        expect(await repository.revokeAllForUser(userId, T0, 'ban')).toBe(2);
        expect(await repository.revokeAllForUser(userId, T0, 'ban')).toBe(0);
        const recorded = (await events.takeSeen()).filter((event) => event.data.userId === userId);
        expect(recorded.sort((a, b) => String(a.data.sessionId).localeCompare(String(b.data.sessionId)))).toEqual(
          mine
            .map((session) => ({ type: 'session.revoked', data: { sessionId: session.id, userId, reason: 'ban' } }))
            .sort((a, b) => a.data.sessionId.localeCompare(b.data.sessionId)),
        );
      });
    });
  });
}

import { createHash } from 'node:crypto';
import { EventLog } from '../../src/events/event-log.js';
import { REDIS_CLIENT, type RedisClient } from '../../src/redis/redis.constants.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { FakeClock } from '../support/fake-clock.js';
import { bearer, describeOnEveryStore, freshPhone, json, login, postJson, refreshSession, startTestApp, type TestApp } from '../support/e2e-kit.js';
import { RecordedEvents, type SeenEvent } from '../support/recorded-events.js';

// Issue 17: every state change records its event with it. A login, a refresh token replayed, a
// logout and a ban, read back as the dispatcher finds them (the shard streams, the in-memory log).

const ADMIN_KEY = 'pa_event_emission_ops_key_0123456789abcd';
const API_KEYS = `ops:${createHash('sha256').update(ADMIN_KEY).digest('hex')}:admin`;

/** A step's events in a fixed order: one step may write to several shard streams. */
const canonical = (events: SeenEvent[]) => [...events].sort((a, b) => `${a.type}${a.data.sessionId}`.localeCompare(`${b.type}${b.data.sessionId}`));

describeOnEveryStore('events of the login flow on the $name', (store) => {
  let t: TestApp;
  let clock: FakeClock;
  let events: RecordedEvents;

  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    t = await startTestApp({ ...store.settings(), SMS_PROVIDERS: 'outbox', API_KEYS }, { clock });
    const redis = t.app.get<RedisClient | null>(REDIS_CLIENT, { strict: false });
    events = RecordedEvents.of(t.app.get(EventLog, { strict: false }), redis, t.app.get(RedisKeys, { strict: false }));
    await events.take();
  });
  afterEach(async () => t.close());

  it('records a login, a refresh token replayed, a logout and a ban, each event once with its data', async () => {
    const phone = freshPhone();
    const step = async () => canonical(await events.takeSeen());

    const first = await login(t, phone);
    const userId = first.user.id;
    const loginEvents = (verificationId: string, sessionId: string, created: boolean): SeenEvent[] =>
      canonical([
        { type: 'verification.sent', data: { verificationId, channel: 'sms', provider: 'outbox', phone } },
        { type: 'verification.approved', data: { verificationId, phone, channel: 'sms', purpose: 'login' } },
        ...(created ? [{ type: 'user.created' as const, data: { userId, phone } }] : []),
        { type: 'session.created', data: { sessionId, userId, amr: ['sms'] } },
      ]);
    expect(await step()).toEqual(loginEvents(first.verificationId, first.sessionId, true));

    // A rotation records nothing; the spent token presented again ends the session.
    expect((await refreshSession(t, first.refreshToken)).statusCode).toBe(200);
    expect(await step()).toEqual([]);
    clock.advance(60_000);
    expect(json(await refreshSession(t, first.refreshToken)).code).toBe('refresh_token_reused');
    expect(await step()).toEqual(
      canonical([
        { type: 'session.refresh_reused', data: { sessionId: first.sessionId, userId } },
        { type: 'session.revoked', data: { sessionId: first.sessionId, userId, reason: 'reuse' } },
      ]),
    );

    const second = await login(t, phone);
    expect(await step()).toEqual(loginEvents(second.verificationId, second.sessionId, false));
    expect((await postJson(t, '/v1/sessions/logout', {}, bearer(second.accessToken))).statusCode).toBe(204);
    expect(await step()).toEqual([{ type: 'session.revoked', data: { sessionId: second.sessionId, userId, reason: 'logout' } }]);

    const third = await login(t, phone);
    await events.take();
    const banned = await postJson(t, `/v1/admin/users/${userId}/ban`, { reason: 'chargebacks' }, { 'x-api-key': ADMIN_KEY });
    expect(banned.statusCode).toBe(200);
    expect(await step()).toEqual([{ type: 'session.revoked', data: { sessionId: third.sessionId, userId, reason: 'ban' } }]);
  });
});

import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { DomainError } from '../../src/common/errors/domain.error.js';
import { VerificationService } from '../../src/otp/verification.service.js';
import { SessionRepository } from '../../src/sessions/session.repository.js';
import { PhoneTagger } from '../../src/common/phone/phone-tagger.js';
import { KeyDerivation } from '../../src/common/secrets/key-derivation.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { FakeClock } from '../support/fake-clock.js';
import {
  bearer,
  describeOnEveryStore,
  json,
  login,
  phoneSequence,
  postJson,
  refreshSession,
  sendCode,
  startTestApp,
  TEST_HMAC_SECRET,
  TestApp,
  verifyCode,
} from '../support/e2e-kit.js';

// Issue 18, parts 1, 2 and 5: API key scopes, and users as records an operator looks up, bans,
// unbans and erases, each act audited and counted.

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
const ADMIN_KEY = 'pa_users_admin_ops_key_0123456789abcdef';
const LOGIN_KEY = 'pa_users_admin_billing_key_0123456789ab';
const API_KEYS = `ops:${sha256(ADMIN_KEY)}:admin,billing:${sha256(LOGIN_KEY)}:login+introspect`;
const AS_ADMIN = { 'x-api-key': ADMIN_KEY };
const AS_LOGIN_CLIENT = { 'x-api-key': LOGIN_KEY };
const HOUR_MS = 3_600_000;

describeOnEveryStore('users and their administration on the $name', (store) => {
  const clock = new FakeClock(Date.UTC(2026, 11, 2, 12, 0, 0));
  const nextPhone = phoneSequence(store.name === 'Redis store' ? '98761' : '98762');
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ SMS_PROVIDERS: 'outbox', API_KEYS, ...store.settings() }, { clock });
  });
  afterAll(async () => t?.close());
  // Each test far from the last: cooldowns and windows of earlier tests are over.
  beforeEach(() => clock.advance(86_400_000));

  const admin = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = AS_ADMIN) =>
    method === 'POST' ? postJson(t, `/v1/admin/users${path}`, body, headers) : t.inject({ method, url: `/v1/admin/users${path}`, headers });
  // The capturing logger appends the logger's context (AdminAudit) to each line.
  const auditLines = (userId: string) =>
    t.logs.lines.filter((line) => line.startsWith('admin ops ') && line.includes(userId)).map((line) => line.replace(/ AdminAudit$/, ''));
  const counted = async (action: string) => {
    const metrics = (await t.inject({ method: 'GET', url: '/metrics' })).body;
    const line = metrics.split('\n').find((row) => row.startsWith(`phone_auth_admin_actions_total{action="${action}",client="ops"}`));
    return line === undefined ? 0 : Number(line.split(' ').pop());
  };
  function expectProblem(response: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
    expect({ status: response.statusCode, code: json(response).code }).toEqual({ status, code });
    expect(response.headers['content-type']).toContain('application/problem+json');
    return json(response);
  }

  it('looks a user up by id and by number, with logins and sessions, each look-up audited and counted', async () => {
    const phone = nextPhone();
    const first = await login(t, phone);
    clock.advance(60_000);
    await login(t, phone);
    const before = await counted('look_up_user');

    const byId = await admin('GET', `/${first.user.id}`);
    expect(byId.statusCode).toBe(200);
    expect(byId.headers['cache-control']).toBe('no-store');
    expect(json(byId)).toEqual({
      id: first.user.id,
      phone,
      createdAt: new Date(clock.nowMs() - 60_000).toISOString(),
      lastLoginAt: new Date(clock.nowMs()).toISOString(),
      sessionCount: 2,
      banned: false,
      ban: null,
    });
    // National format with the country, parsed as send parses it.
    const byPhone = await admin('GET', `?phone=${encodeURIComponent(phone.slice(3))}&country=IN`);
    expect(json(byPhone)).toEqual(json(byId));
    expectProblem(await admin('GET', `?phone=${encodeURIComponent(nextPhone())}`), 404, 'not_found');
    expectProblem(await admin('GET', '?phone=12'), 400, 'invalid_phone');
    expectProblem(await admin('GET', '/usr_AAAAAAAAAAAAAAAAAAAAAA'), 404, 'not_found');
    expectProblem(await admin('GET', '/not-a-user'), 400, 'validation_failed');

    expect(auditLines(first.user.id)).toEqual([
      `admin ops looked up user ${first.user.id}`,
      `admin ops looked up user ${first.user.id} by number +91******${phone.slice(-4)}`,
    ]);
    expect(await counted('look_up_user')).toBe(before + 2);
    expect(t.logs.lines.filter((line) => line.includes(phone.slice(1)))).toEqual([]);
  });

  it('refuses a login-scoped key on every admin route, and an admin-only key on login and introspection, with 403 forbidden', async () => {
    const user = await login(t, nextPhone());
    const routes: [string, string][] = [
      ['GET', `/v1/admin/users/${user.user.id}`],
      ['GET', `/v1/admin/users?phone=${encodeURIComponent(user.user.phone)}`],
      ['POST', `/v1/admin/users/${user.user.id}/ban`],
      ['DELETE', `/v1/admin/users/${user.user.id}/ban`],
      ['DELETE', `/v1/admin/users/${user.user.id}`],
      ['GET', '/v1/admin/fraud/blocks'],
      ['DELETE', `/v1/users/${user.user.id}/sessions`],
    ];
    for (const [method, url] of routes) {
      const response = await t.inject({ method: method as 'GET', url, headers: { ...AS_LOGIN_CLIENT, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, payload: method === 'POST' ? '{"reason":"x"}' : undefined });
      expect({ method, url, ...expectProblem(response, 403, 'forbidden') }).toMatchObject({ requiredScope: 'admin' });
    }
    expect(json(await admin('GET', `/${user.user.id}`))).toMatchObject({ sessionCount: 1, banned: false });

    expect(expectProblem(await sendCode(t, nextPhone(), AS_ADMIN), 403, 'forbidden').requiredScope).toBe('login');
    expect(expectProblem(await verifyCode(t, { verificationId: user.verificationId, code: '123456' }, AS_ADMIN), 403, 'forbidden').requiredScope).toBe('login');
    // Introspection speaks OAuth: the key without its scope is unauthorized_client, the scope named in the description.
    const introspected = await postJson(t, '/v1/tokens/introspect', { token: user.accessToken }, AS_ADMIN);
    expect([introspected.statusCode, json(introspected).error, json(introspected).error_description]).toEqual([403, 'unauthorized_client', expect.stringContaining('introspect scope')]);
    // The login-scoped key logs in and introspects; a wrong key is still 401.
    expect(json(await postJson(t, '/v1/tokens/introspect', { token: user.accessToken }, AS_LOGIN_CLIENT))).toMatchObject({ active: true, sub: user.user.id });
    expect((await login(t, nextPhone(), AS_LOGIN_CLIENT)).user.id).toMatch(/^usr_/);
    expectProblem(await admin('GET', `/${user.user.id}`, undefined, { 'x-api-key': 'pa_wrong' }), 401, 'unauthorized');
  });

  it('bans a user: sessions end, the number can neither send nor verify nor refresh, and the answer says no more', async () => {
    const phone = nextPhone();
    const [one, two] = [await login(t, phone), await login(t, phone)];
    // A code sent before the ban, still pending.
    const pending = json(await sendCode(t, phone)).verificationId as string;
    const pendingCode = t.codes.last;
    const before = await counted('ban_user');

    const banned = await admin('POST', `/${one.user.id}/ban`, { reason: 'Chargebacks (ticket OPS-1)' });
    expect(banned.statusCode).toBe(200);
    expect(json(banned)).toMatchObject({
      id: one.user.id,
      sessionCount: 0,
      banned: true,
      ban: { since: new Date(clock.nowMs()).toISOString(), until: null, reason: 'Chargebacks (ticket OPS-1)' },
    });

    expectProblem(await refreshSession(t, one.refreshToken), 401, 'invalid_refresh_token');
    expectProblem(await refreshSession(t, two.refreshToken), 401, 'invalid_refresh_token');
    expectProblem(await t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(two.accessToken) }), 401, 'unauthorized');
    const refusedSend = expectProblem(await sendCode(t, phone), 403, 'user_banned');
    expect(refusedSend).toEqual({
      type: expect.stringMatching(/\/problems\/user-banned$/),
      title: 'User banned',
      status: 403,
      detail: 'This phone number cannot be used to sign in.',
      code: 'user_banned',
    });
    expect(JSON.stringify(refusedSend)).not.toMatch(/Chargebacks|usr_|until/);
    expectProblem(await sendCode(t, phone, AS_LOGIN_CLIENT), 403, 'user_banned');
    expectProblem(await verifyCode(t, { verificationId: pending, code: pendingCode }), 403, 'user_banned');
    expectProblem(await verifyCode(t, { phone, code: pendingCode }), 403, 'user_banned');

    expect(auditLines(one.user.id)).toContain(`admin ops banned user ${one.user.id} until lifted; 2 session(s) ended`);
    expect(t.logs.lines.some((line) => line.includes('Chargebacks'))).toBe(false);
    expect(await counted('ban_user')).toBe(before + 1);
  });

  it('unbans a user: the number logs in again as the same user', async () => {
    const user = await login(t, nextPhone());
    expect((await admin('POST', `/${user.user.id}/ban`, { reason: 'by mistake' })).statusCode).toBe(200);
    expectProblem(await sendCode(t, user.user.phone), 403, 'user_banned');
    const before = await counted('unban_user');

    const lifted = await admin('DELETE', `/${user.user.id}/ban`);
    expect(lifted.statusCode).toBe(200);
    expect(json(lifted)).toMatchObject({ id: user.user.id, banned: false, ban: null });
    expect((await login(t, user.user.phone)).user.id).toBe(user.user.id);
    expect(auditLines(user.user.id)).toContain(`admin ops lifted the ban of user ${user.user.id}`);
    expect(await counted('unban_user')).toBe(before + 1);
    // Lifting again changes nothing; an unknown user is 404.
    expect((await admin('DELETE', `/${user.user.id}/ban`)).statusCode).toBe(200);
    expectProblem(await admin('DELETE', '/usr_AAAAAAAAAAAAAAAAAAAAAA/ban'), 404, 'not_found');
  });

  it('lifts a ban with an end by itself once the end has passed', async () => {
    const user = await login(t, nextPhone());
    const until = new Date(clock.nowMs() + HOUR_MS).toISOString();
    expect(json(await admin('POST', `/${user.user.id}/ban`, { until, reason: 'cooling off' })).ban).toMatchObject({ until });
    clock.advance(HOUR_MS - 1000);
    expectProblem(await sendCode(t, user.user.phone), 403, 'user_banned');
    clock.advance(1000);
    expect(json(await admin('GET', `/${user.user.id}`))).toMatchObject({ banned: false, ban: null });
    expect((await login(t, user.user.phone)).user.id).toBe(user.user.id);
  });

  it('refuses a ban that would end in the past or has no reason', async () => {
    const user = await login(t, nextPhone());
    expectProblem(await admin('POST', `/${user.user.id}/ban`, { until: new Date(clock.nowMs()).toISOString(), reason: 'x' }), 400, 'validation_failed');
    expectProblem(await admin('POST', `/${user.user.id}/ban`, { until: 'tomorrow', reason: 'x' }), 400, 'validation_failed');
    expectProblem(await admin('POST', `/${user.user.id}/ban`, {}), 400, 'validation_failed');
    expectProblem(await admin('POST', '/usr_AAAAAAAAAAAAAAAAAAAAAA/ban', { reason: 'x' }), 404, 'not_found');
    expect(json(await admin('GET', `/${user.user.id}`))).toMatchObject({ banned: false, sessionCount: 1 });
  });

  it('erases a user: sessions end, the record goes, and the number logs in as a new user id', async () => {
    const phone = nextPhone();
    const user = await login(t, phone);
    expect((await admin('POST', `/${user.user.id}/ban`, { reason: 'erasure requested' })).statusCode).toBe(200);
    const before = await counted('erase_user');

    expect((await admin('DELETE', `/${user.user.id}`)).statusCode).toBe(204);
    expectProblem(await admin('GET', `/${user.user.id}`), 404, 'not_found');
    expectProblem(await admin('GET', `?phone=${encodeURIComponent(phone)}`), 404, 'not_found');
    expectProblem(await admin('DELETE', `/${user.user.id}`), 404, 'not_found');
    expectProblem(await refreshSession(t, user.refreshToken), 401, 'invalid_refresh_token');
    expect(json(await postJson(t, '/v1/tokens/introspect', { token: user.accessToken }, AS_LOGIN_CLIENT))).toEqual({ active: false });

    // The ban went with the user: the number logs in, as someone new.
    const again = await login(t, phone);
    expect(again.user.id).not.toBe(user.user.id);
    expect(json(await admin('GET', `?phone=${encodeURIComponent(phone)}`))).toMatchObject({ id: again.user.id, sessionCount: 1, banned: false });
    // The ban had ended its session already.
    expect(auditLines(user.user.id)).toContain(`admin ops erased user ${user.user.id}; 0 session(s) ended`);
    expect(await counted('erase_user')).toBe(before + 1);
  });

  it('completes an erasure run again after a step failed with 503: the ban is lifted, the sessions end, the number is free', async () => {
    /** The app's own instance, its method failing once as a store failover would. */
    function failOnce<T extends object>(target: T, method: keyof T & string): void {
      const real = (target[method] as (...args: unknown[]) => unknown).bind(target);
      Object.assign(target, {
        [method]: async () => {
          Object.assign(target, { [method]: real });
          throw new DomainError('store_unavailable', 'The store is unavailable.');
        },
      });
    }
    const phone = nextPhone();
    const user = await login(t, phone);
    expect((await admin('POST', `/${user.user.id}/ban`, { reason: 'erasure requested' })).statusCode).toBe(200);

    // The ban's lift fails: nothing is erased, the record still refuses the number.
    failOnce(t.app.get(VerificationService, { strict: false }), 'liftPhoneBan');
    expectProblem(await admin('DELETE', `/${user.user.id}`), 503, 'store_unavailable');
    expect(json(await admin('GET', `/${user.user.id}`))).toMatchObject({ id: user.user.id, banned: true });
    expectProblem(await sendCode(t, phone), 403, 'user_banned');

    // Lifted by hand, the user logs in again; then the erasure's session step fails.
    expect((await admin('DELETE', `/${user.user.id}/ban`)).statusCode).toBe(200);
    const live = await login(t, phone);
    expect(live.user.id).toBe(user.user.id);

    // The record is a tombstone already when the sessions fail to end: the retry ends them.
    const sessions = t.app.get(SessionRepository, { strict: false });
    failOnce(sessions, 'revokeAllForUser');
    expectProblem(await admin('DELETE', `/${user.user.id}`), 503, 'store_unavailable');
    expectProblem(await admin('GET', `/${user.user.id}`), 404, 'not_found');
    expect((await admin('DELETE', `/${user.user.id}`)).statusCode).toBe(204);
    expectProblem(await admin('DELETE', `/${user.user.id}`), 404, 'not_found');
    expect(await sessions.listByUser(user.user.id, clock.nowMs())).toEqual([]);
    expectProblem(await refreshSession(t, live.refreshToken), 401, 'invalid_refresh_token');

    const next = await login(t, phone);
    expect(next.user.id).not.toBe(user.user.id);
    expect(json(await admin('GET', `?phone=${encodeURIComponent(phone)}`))).toMatchObject({ id: next.user.id, banned: false });
  });

  it('keeps no key of an erased user in Redis but its short-lived tombstone', async () => {
    const server = store.server();
    if (server === undefined) return;
    const client = server.client();
    client.options.keyPrefix = 'phone-auth:';
    const keys = new RedisKeys(new PhoneTagger(KeyDerivation.of(TEST_HMAC_SECRET)));
    try {
      const user = await login(t, nextPhone());
      const { id, phone } = user.user;
      expect((await admin('POST', `/${id}/ban`, { reason: 'then erased' })).statusCode).toBe(200);
      const userKeys = async () => (await client.keys(`phone-auth:*${id}*`)).sort();
      const phoneKeys = async () => [await client.get(keys.userIdByPhone(phone)), await client.get(keys.otpBan(keys.phoneTag(phone)))];
      expect(await phoneKeys()).toEqual([id, '0']);
      expect(await userKeys()).toEqual([`phone-auth:${keys.userRecord(id)}`]);

      expect((await admin('DELETE', `/${id}`)).statusCode).toBe(204);
      expect(await phoneKeys()).toEqual([null, null]);
      expect(await userKeys()).toEqual([`phone-auth:${keys.userRecord(id)}`]);
      expect(await client.hgetall(keys.userRecord(id))).toEqual({ id, erasedAtMs: String(clock.nowMs()) });
      expect(await client.ttl(keys.userRecord(id))).toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }
  });
});

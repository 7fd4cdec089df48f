import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { FakeClock } from '../support/fake-clock.js';
import {
  bearer,
  describeOnEveryStore,
  freshPhone as nextPhone,
  json,
  login,
  postJson,
  refreshSession,
  sendCode,
  sharedStoreSettings,
  startTestApp,
  TestApp,
  testSigningKeyPem,
  TokenPair,
} from '../support/e2e-kit.js';
import { describeWithRedis, RedisServer } from '../support/redis-server.js';

const API_KEY = 'pa_test_key_for_the_billing_service_0123456789';
const API_KEYS = `billing:${createHash('sha256').update(API_KEY).digest('hex')}`;

describeOnEveryStore('sessions on the $name', (store) => {
  let t: TestApp;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    t = await startTestApp({ ...store.settings(), API_KEYS }, { clock });
  });
  afterEach(async () => t.close());

  const refresh = (refreshToken: string) => refreshSession(t, refreshToken);
  const listSessions = (accessToken: string) => t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(accessToken) });
  const introspect = (token: string, headers: Record<string, string> = { 'x-api-key': API_KEY }) =>
    postJson(t, '/v1/tokens/introspect', { token }, headers);

  it('refreshes into a new pair and spends the old refresh token', async () => {
    const first = await login(t);
    clock.advance(60_000);
    const response = await refresh(first.refreshToken);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const second = json(response);
    expect(second).toMatchObject({ tokenType: 'Bearer', sessionId: first.sessionId, user: first.user, expiresIn: 600 });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect((await listSessions(second.accessToken)).statusCode).toBe(200);
  });

  it('refuses the just-spent token within the grace window, keeping the session', async () => {
    const first = await login(t);
    const second = json(await refresh(first.refreshToken));
    clock.advance(5_000);
    const again = await refresh(first.refreshToken);
    expect([again.statusCode, json(again).code]).toEqual([401, 'invalid_refresh_token']);
    expect((await refresh(second.refreshToken)).statusCode).toBe(200);
  });

  it('revokes the session when a spent token is presented after the grace window, killing the rotated child too', async () => {
    const first = await login(t);
    const second = json(await refresh(first.refreshToken));
    clock.advance(11_000);
    const reused = await refresh(first.refreshToken);
    expect([reused.statusCode, json(reused).code]).toEqual([401, 'refresh_token_reused']);
    const child = await refresh(second.refreshToken);
    expect([child.statusCode, json(child).code]).toEqual([401, 'invalid_refresh_token']);
    expect((await listSessions(second.accessToken)).statusCode).toBe(401);
  });

  /** A chain of refreshes a minute apart: the tokens of generations 0 (login) to `count`. */
  const chain = async (count: number) => {
    const first = await login(t);
    const tokens: string[] = [first.refreshToken];
    let last: TokenPair = first;
    for (let i = 0; i < count; i++) {
      clock.advance(60_000);
      const response = await refresh(tokens.at(-1)!);
      expect(response.statusCode).toBe(200);
      last = json<TokenPair>(response);
      tokens.push(last.refreshToken);
    }
    return { tokens, last };
  };
  /** The secret's bytes: generation (uint32 BE), 32 random bytes, a 16-byte MAC. */
  const rewrite = (token: string, change: (bytes: Buffer) => void) => {
    const [sessionId, secret] = token.split('.');
    const bytes = Buffer.from(secret, 'base64url');
    change(bytes);
    return `${sessionId}.${bytes.toString('base64url')}`;
  };

  it('rotates 50 times in a row, each token good once, the generation carried in the token', async () => {
    const { tokens, last } = await chain(50);
    expect(new Set(tokens).size).toBe(51);
    tokens.forEach((token, generation) => {
      expect(token).toMatch(/^ses_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{70}$/);
      expect(Buffer.from(token.split('.')[1], 'base64url').readUInt32BE(0)).toBe(generation);
    });
    expect((await listSessions(last.accessToken)).statusCode).toBe(200);
  });

  it.each([0, 3, 4])('revokes the session when the spent token of generation %i of 5 comes back', async (spent) => {
    const { tokens, last } = await chain(5);
    clock.advance(11_000);
    const reused = await refresh(tokens[spent]);
    expect([reused.statusCode, json(reused).code]).toEqual([401, 'refresh_token_reused']);
    const current = await refresh(tokens[5]);
    expect([current.statusCode, json(current).code]).toEqual([401, 'invalid_refresh_token']);
    expect((await listSessions(last.accessToken)).statusCode).toBe(401);
  });

  it('grants the grace only to the token the last refresh spent: an older one within it ends the session', async () => {
    const { tokens, last } = await chain(2);
    clock.advance(5_000);
    const lastSpent = await refresh(tokens[1]);
    expect([lastSpent.statusCode, json(lastSpent).code]).toEqual([401, 'invalid_refresh_token']);
    expect((await listSessions(last.accessToken)).statusCode).toBe(200);
    const older = await refresh(tokens[0]);
    expect([older.statusCode, json(older).code]).toEqual([401, 'refresh_token_reused']);
    expect((await listSessions(last.accessToken)).statusCode).toBe(401);
  });

  it('answers a token with a tampered generation, random part or MAC with invalid_refresh_token and revokes nothing', async () => {
    const { tokens, last } = await chain(3);
    clock.advance(60_000);
    const forgeries = [
      // The current token claiming to be a spent one (a forged reuse would end the session).
      rewrite(tokens[3], (bytes) => bytes.writeUInt32BE(0, 0)),
      rewrite(tokens[3], (bytes) => bytes.writeUInt32BE(2, 0)),
      rewrite(tokens[3], (bytes) => bytes.writeUInt32BE(4, 0)),
      rewrite(tokens[3], (bytes) => void (bytes[51] ^= 1)),
      rewrite(tokens[3], (bytes) => void (bytes[10] ^= 0x80)),
      // A spent token with a broken MAC, and another session's spent token on this session.
      rewrite(tokens[1], (bytes) => void (bytes[40] ^= 1)),
      `${last.sessionId}.${tokens[1].split('.')[1].slice(0, -2)}AA`,
      `${last.sessionId}.${'A'.repeat(43)}`,
    ];
    const stranger = await login(t);
    clock.advance(1_000);
    const strangerNext = json(await refresh(stranger.refreshToken));
    clock.advance(60_000);
    forgeries.push(`${last.sessionId}.${stranger.refreshToken.split('.')[1]}`);
    for (const forged of forgeries) {
      const response = await refresh(forged);
      expect([forged, response.statusCode, json(response).code]).toEqual([forged, 401, 'invalid_refresh_token']);
    }
    expect((await listSessions(last.accessToken)).statusCode).toBe(200);
    expect((await listSessions(strangerNext.accessToken)).statusCode).toBe(200);
    expect((await refresh(tokens[3])).statusCode).toBe(200);
  });

  it('mints at most one new token from 20 parallel refreshes of one token', async () => {
    const first = await login(t);
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(first.refreshToken)));
    expect(responses.filter((response) => response.statusCode === 200)).toHaveLength(1);
    expect(responses.filter((response) => response.statusCode === 401)).toHaveLength(19);
  });

  it('ends a session left idle past REFRESH_TOKEN_IDLE_TTL_SECONDS', async () => {
    await t.close();
    t = await startTestApp({ ...store.settings(), API_KEYS, REFRESH_TOKEN_IDLE_TTL_SECONDS: '3600' }, { clock });
    const first = await login(t);
    expect(first.refreshExpiresIn).toBe(3600);
    clock.advance(3_599_000);
    const second = json(await refresh(first.refreshToken));
    clock.advance(3_600_000);
    const late = await refresh(second.refreshToken);
    expect([late.statusCode, json(late).code]).toEqual([401, 'invalid_refresh_token']);
  });

  it.each([['not a token'], ['ses_x.y'], [`ses_${'a'.repeat(22)}.${'b'.repeat(43)}`]])(
    'answers refresh token %p with 401 invalid_refresh_token',
    async (token) => {
      const response = await refresh(token);
      expect([response.statusCode, json(response).code]).toEqual([401, 'invalid_refresh_token']);
    },
  );

  it('lists the caller\'s live sessions, marks the current one and masks the address', async () => {
    const phone = nextPhone();
    const first = await login(t, phone);
    clock.advance(1000);
    const second = await login(t, phone);
    await login(t);
    const response = await listSessions(second.accessToken);
    expect(response.statusCode).toBe(200);
    const { sessions } = json(response);
    expect(sessions.map((session: { id: string }) => session.id)).toEqual([first.sessionId, second.sessionId]);
    expect(sessions[1]).toEqual({
      id: second.sessionId,
      createdAt: new Date(clock.nowMs()).toISOString(),
      lastUsedAt: new Date(clock.nowMs()).toISOString(),
      expiresAt: new Date(clock.nowMs() + 2592000_000).toISOString(),
      userAgent: 'test-agent/1',
      ip: '127.0.0.*',
      clientId: null,
      current: true,
    });
    expect(sessions[0].current).toBe(false);
  });

  it('deletes one\'s own session and answers 404 for someone else\'s', async () => {
    const phone = nextPhone();
    const mine = await login(t, phone);
    const myOther = await login(t, phone);
    const stranger = await login(t);
    const foreign = await t.inject({ method: 'DELETE', url: `/v1/sessions/${stranger.sessionId}`, headers: bearer(mine.accessToken) });
    expect([foreign.statusCode, json(foreign).code]).toEqual([404, 'not_found']);
    expect((await listSessions(stranger.accessToken)).statusCode).toBe(200);
    const own = await t.inject({ method: 'DELETE', url: `/v1/sessions/${myOther.sessionId}`, headers: bearer(mine.accessToken) });
    expect(own.statusCode).toBe(204);
    expect((await listSessions(myOther.accessToken)).statusCode).toBe(401);
    expect((await refresh(myOther.refreshToken)).statusCode).toBe(401);
  });

  it('logs out: the access token and the refresh token of the session stop working', async () => {
    const session = await login(t);
    const logout = await t.inject({ method: 'POST', url: '/v1/sessions/logout', headers: bearer(session.accessToken) });
    expect(logout.statusCode).toBe(204);
    const after = await listSessions(session.accessToken);
    expect([after.statusCode, json(after).code]).toEqual([401, 'unauthorized']);
    expect((await refresh(session.refreshToken)).statusCode).toBe(401);
  });

  it.each([
    ['no token', {}],
    ['a malformed header', { authorization: 'Token abc' }],
    ['garbage', { authorization: 'Bearer abc.def.ghi' }],
  ])('refuses a session route with %s', async (_name, headers) => {
    const response = await t.inject({ method: 'GET', url: '/v1/sessions', headers });
    expect([response.statusCode, json(response).code]).toEqual([401, 'unauthorized']);
  });

  it('refuses an expired access token after the 30 s leeway, an unsigned one and a refresh token', async () => {
    const session = await login(t);
    const [header, payload] = session.accessToken.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), alg: 'none' })).toString('base64url')}.${payload}.`;
    expect((await listSessions(unsigned)).statusCode).toBe(401);
    expect((await listSessions(session.refreshToken)).statusCode).toBe(401);
    clock.advance(629_000);
    expect((await listSessions(session.accessToken)).statusCode).toBe(200);
    clock.advance(2_000);
    expect((await listSessions(session.accessToken)).statusCode).toBe(401);
  });

  it('introspects only with an API key, answering claims for a live token and only active:false otherwise', async () => {
    const session = await login(t);
    expect((await introspect(session.accessToken, {})).statusCode).toBe(401);
    expect((await introspect(session.accessToken, { 'x-api-key': 'wrong' })).statusCode).toBe(401);

    const live = await introspect(session.accessToken);
    expect(live.statusCode).toBe(200);
    expect(live.headers['cache-control']).toBe('no-store');
    expect(json(live)).toMatchObject({
      active: true,
      sub: session.user.id,
      sid: session.sessionId,
      phone_number: session.user.phone,
      iss: 'http://localhost:3000',
      aud: 'http://localhost:3000',
    });
    const form = await t.inject({
      method: 'POST',
      url: '/v1/tokens/introspect',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': API_KEY },
      payload: `token=${encodeURIComponent(session.accessToken)}&token_type_hint=access_token`,
    });
    expect(json(form).active).toBe(true);

    for (const token of ['garbage', session.refreshToken]) expect(json(await introspect(token))).toEqual({ active: false });
    await t.inject({ method: 'POST', url: '/v1/sessions/logout', headers: bearer(session.accessToken) });
    expect(json(await introspect(session.accessToken))).toEqual({ active: false });
  });

  it('lets an API-key client log a user in on their behalf: client_id in the token, the end user\'s address in the session', async () => {
    const session = await login(t, nextPhone(), { 'x-api-key': API_KEY, 'x-end-user-ip': '198.51.100.23' });
    expect(json(await introspect(session.accessToken)).client_id).toBe('billing');
    const { sessions } = json(await listSessions(session.accessToken));
    expect(sessions[0]).toMatchObject({ clientId: 'billing', ip: '198.51.100.*' });

    const direct = await login(t, nextPhone(), { 'x-end-user-ip': '198.51.100.23' });
    const { sessions: directSessions } = json(await listSessions(direct.accessToken));
    expect(directSessions[0]).toMatchObject({ clientId: null, ip: '127.0.0.*' });

    const wrongKey = await sendCode(t, nextPhone(), { 'x-api-key': 'nope' });
    expect([wrongKey.statusCode, json(wrongKey).code]).toEqual([401, 'unauthorized']);
  });

  it('revokes every session of a user for an API-key client', async () => {
    const phone = nextPhone();
    const sessions = [await login(t, phone), await login(t, phone)];
    const other = await login(t);
    const url = `/v1/users/${sessions[0].user.id}/sessions`;
    expect((await t.inject({ method: 'DELETE', url })).statusCode).toBe(401);
    const revoked = await t.inject({ method: 'DELETE', url, headers: { 'x-api-key': API_KEY } });
    expect([revoked.statusCode, json(revoked)]).toEqual([200, { revoked: 2 }]);
    for (const session of sessions) {
      expect((await listSessions(session.accessToken)).statusCode).toBe(401);
      expect((await refresh(session.refreshToken)).statusCode).toBe(401);
    }
    expect((await listSessions(other.accessToken)).statusCode).toBe(200);
  });

  it('describes itself at /.well-known/openid-configuration', async () => {
    const response = await t.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(json(response)).toMatchObject({
      issuer: 'http://localhost:3000',
      jwks_uri: 'http://localhost:3000/.well-known/jwks.json',
      introspection_endpoint: 'http://localhost:3000/v1/tokens/introspect',
    });
  });
});

describeWithRedis('signing-key rotation on Redis', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => server.stop());

  it('keeps tokens and sessions from before a restart with a new key, while new tokens use the new kid', async () => {
    const base = sharedStoreSettings({ REDIS_URL: server.url });
    const oldKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const before = await startTestApp({ ...base, JWT_PRIVATE_KEY: oldKey.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });
    const session = await login(before);
    const oldKid = decodeProtectedHeader(session.accessToken).kid;
    await before.close();

    const dir = mkdtempSync(join(tmpdir(), 'rotation-'));
    const publicKeysFile = join(dir, 'previous-public-keys.pem');
    writeFileSync(publicKeysFile, createPublicKey(oldKey.privateKey).export({ format: 'pem', type: 'spki' }).toString());
    const after = await startTestApp({ ...base, JWT_PRIVATE_KEY: testSigningKeyPem(), JWT_PUBLIC_KEYS_FILE: publicKeysFile });
    try {
      const jwks = json(await after.inject({ method: 'GET', url: '/.well-known/jwks.json' }));
      expect(jwks.keys).toHaveLength(2);
      expect(jwks.keys.map((key: { kid: string }) => key.kid)).toContain(oldKid);

      const old = await after.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(session.accessToken) });
      expect(old.statusCode).toBe(200);
      const refreshed = await refreshSession(after, session.refreshToken);
      expect(refreshed.statusCode).toBe(200);
      const newKid = decodeProtectedHeader(json(refreshed).accessToken).kid;
      expect(newKid).not.toBe(oldKid);
      expect(jwks.keys[0].kid).toBe(newKid);
    } finally {
      await after.close();
    }
  });
});

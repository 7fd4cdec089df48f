import { describeWithRedis, RedisServer } from '../support/redis-server.js';
import { json, startTestApp, TEST_HMAC_SECRET, TestApp, testSigningKeyPem } from '../support/test-app.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

describeWithRedis('phone login on a shared Redis', () => {
  let server: RedisServer;
  let env: Record<string, string>;
  const apps: TestApp[] = [];
  const start = async () => {
    const app = await startTestApp(env);
    apps.push(app);
    return app;
  };
  const send = (t: TestApp, phone: string) =>
    t.inject({ method: 'POST', url: '/v1/otp/send', headers: JSON_HEADERS, payload: { phone } });
  const verify = (t: TestApp, body: object) =>
    t.inject({ method: 'POST', url: '/v1/otp/verify', headers: JSON_HEADERS, payload: body });

  beforeAll(async () => {
    server = await RedisServer.start();
    env = { REDIS_URL: server.url, OTP_HMAC_SECRET: TEST_HMAC_SECRET, JWT_PRIVATE_KEY: testSigningKeyPem() };
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => server.stop());

  it('survives a restart of the service between send and verify', async () => {
    const before = await start();
    const sent = json(await send(before, '+919876540001'));
    const code = before.codes.last;
    await before.close();
    apps.splice(apps.indexOf(before), 1);

    const after = await start();
    const verified = await verify(after, { verificationId: sent.verificationId, code });
    expect(verified.statusCode).toBe(200);
    expect(json(verified).user.phone).toBe('+919876540001');
  });

  it('stores no plaintext code and no phone number in any key or value', async () => {
    const t = await start();
    const phone = '+919876540002';
    await send(t, phone);
    const code = t.codes.last;
    const redis = server.client();
    try {
      const keys = await redis.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.every((key) => key.startsWith('phone-auth:'))).toBe(true);
      for (const key of keys) {
        expect(key).not.toContain(phone.slice(1));
        const type = await redis.type(key);
        const values = type === 'hash' ? Object.values(await redis.hgetall(key)) : type === 'string' ? [await redis.get(key)] : [];
        for (const value of values) expect(value).not.toBe(code);
        if (type === 'hash') {
          const stored = await redis.hgetall(key);
          if (stored.phone === phone) {
            expect(stored.codeHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
            expect(JSON.stringify(stored)).not.toContain(code);
          }
        }
      }
    } finally {
      redis.disconnect();
    }
  });

  it('gives exactly one 200 to 50 racing verifies of one code across two instances', async () => {
    const [a, b] = [await start(), await start()];
    const sent = json(await send(a, '+919876540003'));
    const body = { verificationId: sent.verificationId, code: a.codes.last };
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => verify(i % 2 ? a : b, body)));
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 404)).toHaveLength(49);
  });

  it('fails closed with 503 store_unavailable while Redis is down, sends nothing, and recovers by itself', async () => {
    const t = await start();
    const phone = '+919876540004';
    await server.stop();
    try {
      const sent = await send(t, phone);
      expect(sent.statusCode).toBe(503);
      expect(sent.headers['retry-after']).toBe('1');
      expect(json(sent).code).toBe('store_unavailable');
      const verified = await verify(t, { phone, code: '123456' });
      expect([verified.statusCode, json(verified).code]).toEqual([503, 'store_unavailable']);
      expect(t.logs.lines.some((line) => line.includes('[development only]'))).toBe(false);
    } finally {
      await server.start();
    }
    let recovered = 0;
    for (let tries = 0; tries < 100 && recovered !== 202; tries += 1) {
      recovered = (await send(t, phone)).statusCode;
      if (recovered !== 202) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(recovered).toBe(202);
    expect((await verify(t, { phone, code: t.codes.last })).statusCode).toBe(200);
  });
});

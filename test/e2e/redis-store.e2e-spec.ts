import { describeWithRedis, RedisServer } from '../support/redis-server.js';
import { AppSettings, json, sendCode, sharedStoreSettings, startTestApp, TestApp, verifyCode } from '../support/e2e-kit.js';

describeWithRedis('phone login on a shared Redis', () => {
  let server: RedisServer;
  let settings: AppSettings;
  const apps: TestApp[] = [];
  const start = async () => {
    const app = await startTestApp(settings);
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    server = await RedisServer.start();
    settings = sharedStoreSettings({ REDIS_URL: server.url });
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => server.stop());

  it('survives a restart of the service between send and verify', async () => {
    const before = await start();
    const sent = json(await sendCode(before, '+919876540001'));
    const code = before.codes.last;
    await before.close();
    apps.splice(apps.indexOf(before), 1);

    const after = await start();
    const verified = await verifyCode(after, { verificationId: sent.verificationId, code });
    expect(verified.statusCode).toBe(200);
    expect(json(verified).user.phone).toBe('+919876540001');
  });

  it('stores no plaintext code in any value and no phone number in any key', async () => {
    const t = await start();
    const phone = '+919876540002';
    await sendCode(t, phone);
    const code = t.codes.last;
    const redis = server.client();
    try {
      const keys = await redis.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.every((key) => key.startsWith('phone-auth:'))).toBe(true);
      expect(keys.join('\n')).not.toContain(phone.slice(3));
      const values: unknown[] = [];
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'hash') values.push(await redis.hgetall(key));
        else if (type === 'string') values.push(await redis.get(key));
        else if (type === 'set') values.push(await redis.smembers(key));
        else if (type === 'list') values.push(await redis.lrange(key, 0, -1));
        else if (type === 'stream') values.push(await redis.xrange(key, '-', '+'));
        else throw new Error(`unexpected key type ${type} for ${key}`);
      }
      expect(JSON.stringify(values)).not.toContain(code);
    } finally {
      redis.disconnect();
    }
  });

  it('gives exactly one 200 to 50 racing verifies of one code across two instances', async () => {
    const [a, b] = [await start(), await start()];
    const sent = json(await sendCode(a, '+919876540003'));
    const body = { verificationId: sent.verificationId, code: a.codes.last };
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => verifyCode(i % 2 ? a : b, body)));
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 404)).toHaveLength(49);
  });

  it('fails closed with 503 store_unavailable while Redis is down, sends nothing, and recovers by itself', async () => {
    const t = await start();
    const phone = '+919876540004';
    const earlier = json(await sendCode(t, phone));
    await server.stop();
    try {
      const sent = await sendCode(t, '+919876540005');
      expect(sent.statusCode).toBe(503);
      expect(sent.headers['retry-after']).toBe('1');
      expect(json(sent).code).toBe('store_unavailable');
      for (const response of [
        await verifyCode(t, { phone, code: '123456' }),
        await t.inject({ method: 'GET', url: `/v1/otp/verifications/${earlier.verificationId}` }),
        await t.inject({ method: 'DELETE', url: `/v1/otp/verifications/${earlier.verificationId}` }),
      ]) {
        expect([response.statusCode, json(response).code]).toEqual([503, 'store_unavailable']);
      }
      expect(t.logs.lines.filter((line) => line.includes('[development only]'))).toHaveLength(1);
    } finally {
      await server.start();
    }
    let recovered = 0;
    for (let tries = 0; tries < 100 && recovered !== 202; tries += 1) {
      recovered = (await sendCode(t, '+919876540005')).statusCode;
      if (recovered !== 202) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(recovered).toBe(202);
    expect((await verifyCode(t, { phone: '+919876540005', code: t.codes.last })).statusCode).toBe(200);
  });

  it('answers 503 within the command timeout while Redis hangs, and recovers when it answers again', async () => {
    const t = await startTestApp({ ...settings, REDIS_COMMAND_TIMEOUT_MS: '300' });
    apps.push(t);
    expect((await sendCode(t, '+919876540006')).statusCode).toBe(202);
    server.pause();
    try {
      const startedAt = Date.now();
      const sent = await sendCode(t, '+919876540007');
      expect([sent.statusCode, json(sent).code]).toEqual([503, 'store_unavailable']);
      expect(Date.now() - startedAt).toBeLessThan(3000);
    } finally {
      server.resume();
    }
    let recovered = 0;
    for (let tries = 0; tries < 100 && recovered !== 202; tries += 1) {
      recovered = (await sendCode(t, '+919876540008')).statusCode;
      if (recovered !== 202) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(recovered).toBe(202);
  });
});

import { describeWithRedis, RedisServer } from '../support/redis-server.js';
import { json, postJson, sendCode, sharedStoreSettings, startTestApp, TestApp, verifyCode } from '../support/e2e-kit.js';

describe('operations endpoints and headers', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('answers live and ready, reporting the store and the provider circuits', async () => {
    t = await startTestApp({ SMS_PROVIDERS: 'outbox' });
    const live = await t.inject({ method: 'GET', url: '/health/live' });
    expect([live.statusCode, json(live)]).toEqual([200, { status: 'ok' }]);
    const ready = await t.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(json(ready)).toMatchObject({
      status: 'ok',
      details: { lifecycle: { status: 'up' }, store: { status: 'up', kind: 'memory' }, providers: { status: 'up', outbox: 'closed' } },
    });
  });

  it('counts sends, verifications and sessions in /metrics after a login', async () => {
    t = await startTestApp({ SMS_PROVIDERS: 'outbox' });
    const sent = json(await sendCode(t, '+919876543210'));
    await verifyCode(t, { verificationId: sent.verificationId, code: t.codes.last });
    const metrics = await t.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('phone_auth_otp_sends_total{channel="sms",provider="outbox",country="IN",outcome="sent"} 1');
    expect(metrics.body).toContain('phone_auth_otp_verifications_total{outcome="approved"} 1');
    expect(metrics.body).toContain('phone_auth_sessions_total{event="issued"} 1');
    expect(metrics.body).toContain('phone_auth_provider_request_duration_seconds_count{provider="outbox",channel="sms",operation="send",outcome="ok"} 1');
    expect(metrics.body).toMatch(/phone_auth_http_request_duration_seconds_count\{method="POST",route="\/v1\/otp\/send",status="202"\} 1/);
    expect(metrics.body).toContain('phone_auth_process_cpu_seconds_total');
    expect(metrics.body).not.toContain('9876543210');
  });

  it('sends nosniff and frame headers, and refuses a 2 MB body with a 413 problem', async () => {
    t = await startTestApp({});
    const jwks = await t.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwks.headers['x-content-type-options']).toBe('nosniff');
    expect(jwks.headers['x-frame-options']).toBeDefined();
    const huge = await postJson(t, '/v1/otp/send', JSON.stringify({ phone: '+919876543210', padding: 'x'.repeat(2 * 1024 * 1024) }));
    expect([huge.statusCode, json(huge).code]).toEqual([413, 'payload_too_large']);
    expect((await t.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  it('keeps a sane X-Request-Id and makes one otherwise', async () => {
    t = await startTestApp({});
    const kept = await t.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'trace-42' } });
    expect(kept.headers['x-request-id']).toBe('trace-42');
    const hostile = await t.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'a b\u0000c' } });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers CORS only for the configured origins', async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://app.example.com' });
    const preflight = (origin: string) =>
      t.inject({
        method: 'OPTIONS',
        url: '/v1/otp/send',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    expect((await preflight('https://app.example.com')).headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect((await preflight('https://evil.example.net')).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describeWithRedis('readiness follows the store', () => {
  let server: RedisServer;
  let t: TestApp;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await t?.close();
    await server.stop();
  });

  it('turns ready to 503 and sends to 503 within seconds when Redis stops, and back without a restart', async () => {
    t = await startTestApp(sharedStoreSettings({ REDIS_URL: server.url, REDIS_COMMAND_TIMEOUT_MS: '500' }));
    expect((await t.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    await server.stop();
    const startedAt = Date.now();
    const ready = await t.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(json(ready)).toMatchObject({ status: 'error', error: { store: { status: 'down', kind: 'redis', mode: 'standalone', address: server.url } } });
    // What an operator needs: which store, where, since when, why; not ioredis's retry counter.
    const down = json(ready).error.store as { downSince: string; message: string; reason: string };
    expect(Date.parse(down.downSince)).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(Date.parse(down.downSince)).toBeLessThanOrEqual(Date.now());
    expect(down.message).toBe(`store unreachable: Redis (standalone) at ${server.url}, down since ${down.downSince}: ${down.reason}`);
    expect(down.reason).toMatch(/ECONNREFUSED|Connection is closed|no answer to PING/);
    expect(down.message).not.toContain('max retries');
    // The same outage keeps its start.
    const again = json(await t.inject({ method: 'GET', url: '/health/ready' })).error.store as { downSince: string };
    expect(again.downSince).toBe(down.downSince);
    const sent = await sendCode(t, '+919876549999');
    expect([sent.statusCode, json(sent).code]).toEqual([503, 'store_unavailable']);
    expect(Date.now() - startedAt).toBeLessThan(5000);
    await server.start();
    let status = 0;
    for (let tries = 0; tries < 100 && status !== 200; tries += 1) {
      status = (await t.inject({ method: 'GET', url: '/health/ready' })).statusCode;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    expect((await sendCode(t, '+919876549999')).statusCode).toBe(202);
    // Recovered: the next outage gets its own start.
    expect(json(await t.inject({ method: 'GET', url: '/health/ready' })).details.store).toEqual({ status: 'up', kind: 'redis', latencyMs: expect.any(Number) });
  });
});

import type { LightMyRequestResponse } from 'fastify';
import { connect, type AddressInfo } from 'node:net';
import { PinoLogger } from 'nestjs-pino';
import { symbols, type Logger } from 'pino';
import { bearer, json, postJson, refreshSession, startTestApp, TestApp, verifyCode } from '../support/e2e-kit.js';

interface RequestLine {
  level: number;
  req: { id: string; method: string; path: string };
  res: { statusCode: number };
  responseTime: number;
  msg: string;
}

/**
 * The request lines as written: pino's own output (the app's other lines go to the test's
 * CapturingLogger), read off the root logger's destination.
 */
describe('the request log', () => {
  let t: TestApp;
  let written: string[];
  let root: Logger<string>;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'log', SMS_PROVIDERS: 'outbox' });
    root = (await t.app.resolve(PinoLogger)).logger;
    const destination = (root as unknown as Record<symbol, { write(line: string): boolean }>)[symbols.streamSym];
    jest.spyOn(destination, 'write').mockImplementation((line: string) => written.push(line) > 0);
  });
  beforeEach(() => {
    written = [];
    root.level = 'info';
  });
  afterAll(async () => t.close());

  const lines = () => written.map((line) => JSON.parse(line) as RequestLine).filter((line) => line.req !== undefined);
  const lineOf = (response: LightMyRequestResponse) => {
    const found = lines().filter((line) => line.req.id === response.headers['x-request-id']);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('writes one line per request with its id, method, path without the query, status and time', async () => {
    const kept = await t.inject({ method: 'GET', url: '/.well-known/jwks.json?cache=no', headers: { 'x-request-id': 'trace-42' } });
    expect(lineOf(kept)).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      req: { id: 'trace-42', method: 'GET', path: '/.well-known/jwks.json' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      msg: 'GET /.well-known/jwks.json 200',
    });
    // No id from the caller (or an unusable one): the generated one, as echoed in the answer.
    const generated = await t.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'a b' } });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lineOf(generated)).toMatchObject({ level: 30, req: { method: 'GET', path: '/nowhere' }, res: { statusCode: 404 } });
    expect(lines()).toHaveLength(2);
  });

  it('writes no line for probes and scrapes', async () => {
    for (const url of ['/health/live', '/health/ready', '/metrics']) {
      expect((await t.inject({ method: 'GET', url })).statusCode).toBe(200);
    }
    expect(written).toEqual([]);
  });

  it('writes nothing when the level is off', async () => {
    root.level = 'warn';
    await t.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    await verifyCode(t, {});
    expect(written).toEqual([]);
  });

  it('holds no code, token, API key, cookie, query or full phone number through a login', async () => {
    const phone = '+919876543210';
    const sent = await postJson(t, '/v1/otp/send?phone=%2B919876543210', { phone }, { cookie: 'session=secret-cookie' });
    expect(sent.statusCode).toBe(202);
    const { verificationId } = json(sent);
    const code = t.codes.last;
    const wrong = code === '000000' ? '111111' : '000000';
    const rejected = await verifyCode(t, { verificationId, code: wrong });
    const verified = await postJson(t, `/v1/otp/verify?code=${code}`, { verificationId, code });
    expect([rejected.statusCode, verified.statusCode]).toEqual([400, 200]);
    const { accessToken, refreshToken } = json(verified);
    const refreshed = await refreshSession(t, refreshToken);
    const sessions = await t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(accessToken) });
    const introspected = await postJson(t, '/v1/tokens/introspect', { token: accessToken }, { 'x-api-key': 'pak_secret-api-key' });
    expect([refreshed.statusCode, sessions.statusCode, introspected.statusCode]).toEqual([200, 200, 401]);

    expect([sent, rejected, verified, refreshed, sessions, introspected].map((response) => lineOf(response).msg)).toEqual([
      'POST /v1/otp/send 202',
      'POST /v1/otp/verify 400',
      'POST /v1/otp/verify 200',
      'POST /v1/sessions/refresh 200',
      'GET /v1/sessions 200',
      'POST /v1/tokens/introspect 401',
    ]);
    const output = written.join('');
    const secrets = [code, wrong, phone, phone.slice(1), '%2B919876543210', accessToken, refreshToken, json(refreshed).refreshToken, 'secret-api-key', 'secret-cookie'];
    for (const secret of secrets) expect(output.includes(secret) ? secret : 'absent').toBe('absent');
  });

  it('writes a line, with the security headers and the request id, for a URL the router refuses', async () => {
    const refused = await t.inject({ method: 'GET', url: '/v1/otp/verifications/%E0%A4%A', headers: { 'x-request-id': 'bad-url-1' } });
    expect([refused.statusCode, refused.headers['content-type'], refused.headers['x-request-id']]).toEqual([400, 'application/problem+json; charset=utf-8', 'bad-url-1']);
    expect([refused.headers['x-frame-options'], refused.headers['x-content-type-options']]).toEqual(['DENY', 'nosniff']);
    expect(lineOf(refused)).toMatchObject({ req: { path: '/v1/otp/verifications/%E0%A4%A' }, res: { statusCode: 400 } });
  });

  it('writes a line for a path under /health that is not a probe', async () => {
    const missing = await t.inject({ method: 'GET', url: '/health/anything' });
    expect(lineOf(missing)).toMatchObject({ req: { path: '/health/anything' }, res: { statusCode: 404 } });
  });

  it('writes a line marked aborted for a request whose client hangs up before the answer', async () => {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // Half a body: the request is routed, then the client goes away.
    socket.write(
      'POST /v1/otp/verify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\nX-Request-Id: gone-1\r\n\r\n{"code"',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    const deadline = Date.now() + 2000;
    while (!lines().some((line) => line.req.id === 'gone-1') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines().filter((line) => line.req.id === 'gone-1')).toEqual([
      expect.objectContaining({ req: { id: 'gone-1', method: 'POST', path: '/v1/otp/verify' }, res: { statusCode: 499 }, aborted: true }),
    ]);
  });
});

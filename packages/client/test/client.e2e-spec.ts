// The client against the real service: the app of test/support listening on 127.0.0.1, called
// over HTTP with Node's own fetch. The service's refresh-token reuse detector is at its strictest
// (no grace: a spent refresh token presented again ends the session at once), so a client that
// spent one token twice would end its own session, and these tests would see it.
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { JSON_HEADERS, phoneSequence, startTestApp, type TestApp } from '../../../test/support/e2e-kit.js';
import { type LockManagerLike, MemoryTokenStorage, PhoneAuthClient, PhoneAuthError, type Tokens } from '../src/index.js';

const nextPhone = phoneSequence('987661');

describe(PhoneAuthClient.name, () => {
  let t: TestApp;
  let baseUrl: string;
  const clock = new FakeClock();
  /** Every request the clients under test sent, as `METHOD path`. */
  let sent: string[];

  beforeAll(async () => {
    t = await startTestApp({ REFRESH_TOKEN_REUSE_GRACE_SECONDS: '0' }, { clock });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => t?.close());
  beforeEach(() => {
    sent = [];
  });

  /** The global fetch, counting what goes through it. */
  const countingFetch: typeof fetch = (input, init) => {
    sent.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
    return fetch(input, init);
  };
  const refreshes = () => sent.filter((line) => line === 'POST /v1/sessions/refresh').length;

  function newClient(options: { storage?: MemoryTokenStorage; locks?: LockManagerLike | null } = {}): PhoneAuthClient {
    return new PhoneAuthClient({ baseUrl, fetch: countingFetch, locks: null, ...options });
  }

  async function signIn(client: PhoneAuthClient, phone = nextPhone()): Promise<Tokens> {
    const code = await client.sendCode({ phone, channel: 'sms' });
    await client.verifyCode({ verificationId: code.verificationId, code: t.codes.last! });
    return (await client.tokens()) as Tokens;
  }

  /** The error a call rejects with (the test fails if it resolves). */
  async function failure(call: Promise<unknown>): Promise<PhoneAuthError> {
    const outcome = await call.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if (!('error' in outcome)) throw new Error(`resolved: ${JSON.stringify(outcome.value)}`);
    expect(outcome.error).toBeInstanceOf(PhoneAuthError);
    return outcome.error as PhoneAuthError;
  }

  /** A refresh sent by hand, as a client without single-flight would send it. */
  const rawRefresh = (refreshToken: string) =>
    fetch(`${baseUrl}/v1/sessions/refresh`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ refreshToken }) });

  it('logs in with a code, lists the session and logs out', async () => {
    const client = newClient();
    const phone = nextPhone();

    const code = await client.sendCode({ phone, channel: 'sms' });
    expect(code).toMatchObject({ status: 'pending', phone, channel: 'sms', attemptsRemaining: 5 });
    const verified = await client.verifyCode({ verificationId: code.verificationId, code: t.codes.last! });
    expect(verified).toMatchObject({ status: 'approved', tokenType: 'Bearer', user: { phone } });
    const tokens = await client.tokens();
    expect(tokens).toMatchObject({ accessToken: verified.accessToken, refreshToken: verified.refreshToken, sessionId: verified.sessionId });
    expect(tokens).not.toHaveProperty('status');

    const { sessions } = await client.sessions();
    expect(sessions).toEqual([expect.objectContaining({ id: verified.sessionId, current: true })]);

    await client.logout();
    expect(await client.tokens()).toBeNull();
    expect((await rawRefresh(verified.refreshToken)).status).toBe(401);
    expect(sent).toEqual(['POST /v1/otp/send', 'POST /v1/otp/verify', 'GET /v1/sessions', 'POST /v1/sessions/logout']);
  });

  it('sends one refresh for 20 concurrent refresh() calls, and the session lives on', async () => {
    const client = newClient();
    const before = await signIn(client);
    sent = [];

    const results = await Promise.all(Array.from({ length: 20 }, () => client.refresh()));

    expect(refreshes()).toBe(1);
    expect(new Set(results.map((tokens) => tokens.refreshToken)).size).toBe(1);
    expect(results[0].refreshToken).not.toBe(before.refreshToken);
    expect(results[0].sessionId).toBe(before.sessionId);
    expect(await client.tokens()).toEqual(results[0]);
    // The reuse detector did not fire: the session answers, and refreshes again.
    expect((await client.sessions()).sessions.map((session) => session.id)).toEqual([before.sessionId]);
    const after = await client.refresh();
    expect(after.refreshToken).not.toBe(results[0].refreshToken);
    expect(refreshes()).toBe(2);
  });

  it('ends the session when 20 refreshes spend one token at once without the client (the control)', async () => {
    const before = await signIn(newClient());

    const answers = await Promise.all(Array.from({ length: 20 }, () => rawRefresh(before.refreshToken)));
    const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as Array<Tokens & { code?: string }>;

    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(bodies.filter((body) => body.code === 'refresh_token_reused').length).toBeGreaterThan(0);
    // The detector took the concurrent refreshes for a stolen token: even the winner's pair is dead.
    const winner = bodies.find((body) => body.refreshToken !== undefined)!;
    expect((await rawRefresh(winner.refreshToken)).status).toBe(401);
  });

  it('makes two clients on one storage take turns: the one that waited takes the rotated pair', async () => {
    const storage = new MemoryTokenStorage();
    const first = newClient({ storage });
    const second = newClient({ storage });
    const before = await signIn(first);
    sent = [];

    const [a, b] = await Promise.all([first.refresh(), second.refresh()]);

    expect(refreshes()).toBe(1);
    expect(a).toEqual(b);
    expect(a.refreshToken).not.toBe(before.refreshToken);
    expect((await second.sessions()).sessions).toHaveLength(1);
  });

  it('holds the Web Locks lock named after the session while it refreshes, when there is one', async () => {
    const held: string[] = [];
    const locks: LockManagerLike = {
      request: async (name, callback) => {
        held.push(name);
        return callback();
      },
    };
    const client = newClient({ locks });
    const before = await signIn(client);

    await Promise.all([client.refresh(), client.refresh()]);

    expect(held).toEqual([`phone-auth:refresh:${before.sessionId}`]);
  });

  it('refreshes once and retries a call answered 401 because the access token expired', async () => {
    const client = newClient();
    const before = await signIn(client);
    clock.advance(700_000); // past the 600 s life and the 30 s leeway
    sent = [];

    const { sessions } = await client.sessions();

    expect(sessions.map((session) => session.id)).toEqual([before.sessionId]);
    expect(sent).toEqual(['GET /v1/sessions', 'POST /v1/sessions/refresh', 'GET /v1/sessions']);
    expect((await client.tokens())!.accessToken).not.toBe(before.accessToken);
  });

  it('refreshes before the call when the storage keeps only the refresh token (a server\'s cookie jar)', async () => {
    const { refreshToken, sessionId } = await signIn(newClient());
    const storage = new MemoryTokenStorage();
    storage.set({ refreshToken, sessionId } as Tokens);
    const client = newClient({ storage });
    sent = [];

    await client.logout();

    expect(sent).toEqual(['POST /v1/sessions/refresh', 'POST /v1/sessions/logout']);
    expect(await client.tokens()).toBeNull();
    expect((await rawRefresh(refreshToken)).status).toBe(401);
  });

  it('forgets the tokens when the service refuses the refresh token, and says why', async () => {
    const client = newClient();
    const before = await signIn(client);
    expect((await rawRefresh(before.refreshToken)).status).toBe(200); // spent elsewhere

    const error = await failure(client.refresh());

    expect(error).toMatchObject({ status: 401, code: 'refresh_token_reused' });
    expect(await client.tokens()).toBeNull();
    await expect(client.sessions()).rejects.toMatchObject({ code: 'not_signed_in', status: 401 });
  });

  it('rejects with the problem, typed: code, status, attempts left and Retry-After', async () => {
    const client = newClient();
    const phone = nextPhone();

    const invalidPhone = await failure(client.sendCode({ phone: '12' }));
    expect(invalidPhone).toMatchObject({ status: 400, code: 'invalid_phone', problem: { status: 400, code: 'invalid_phone' } });
    expect(invalidPhone.message).toBe(invalidPhone.problem.detail);

    const code = await client.sendCode({ phone });
    const wrong = t.codes.last === '000000' ? '111111' : '000000';
    const invalidCode = await failure(client.verifyCode({ verificationId: code.verificationId, code: wrong }));
    expect(invalidCode).toMatchObject({ status: 400, code: 'invalid_code', attemptsRemaining: 4 });

    const tooSoon = await failure(client.sendCode({ phone }));
    expect(tooSoon).toMatchObject({ status: 429, code: 'resend_too_soon' });
    expect(tooSoon.retryAfter).toBeGreaterThan(0);
    expect(tooSoon.retryAfter).toBeLessThanOrEqual(30);
  });

  it('turns an unreachable service into network_error', async () => {
    const client = new PhoneAuthClient({ baseUrl: 'http://127.0.0.1:9' });
    await expect(client.sendCode({ phone: nextPhone() })).rejects.toMatchObject({ name: 'PhoneAuthError', status: 0, code: 'network_error' });
  });
});

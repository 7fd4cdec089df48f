import { CaptchaUnavailableError } from '../captcha-verifier.js';
import { type FakeProviders, refusedBaseUrl, reply, startFakeProviders } from '../../../test/support/fake-providers.js';
import { TurnstileCaptchaVerifier, type TurnstileOptions } from './turnstile.captcha-verifier.js';

describe(TurnstileCaptchaVerifier.name, () => {
  let fake: FakeProviders;
  beforeAll(async () => {
    fake = await startFakeProviders();
  });
  afterAll(async () => fake.close());
  afterEach(() => {
    fake.captcha.turnstile.reset();
    fake.captcha.acceptReplays = false;
  });

  const verifier = (options: Partial<TurnstileOptions> = {}) =>
    new TurnstileCaptchaVerifier({
      secret: fake.captcha.secrets.turnstile,
      verifyUrl: fake.captcha.env('turnstile', fake.baseUrl).CAPTCHA_VERIFY_URL,
      timeoutMs: 300,
      expectedAction: 'login',
      expectedHostnames: new Set(),
      ...options,
    });

  it('posts secret, response, remoteip and an idempotency_key as a form, and passes a solved token', async () => {
    const token = fake.captcha.issue('turnstile');
    expect(await verifier().verify({ token, remoteIp: '203.0.113.7' })).toEqual({ passed: true });
    const request = fake.captcha.turnstile.lastRequest!;
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = request.body as Record<string, string>;
    expect(Object.keys(form).sort()).toEqual(['idempotency_key', 'remoteip', 'response', 'secret']);
    expect(form.secret).toBe(fake.captcha.secrets.turnstile);
    expect(form.response).toBe(token);
    expect(form.remoteip).toBe('203.0.113.7');
    expect(form.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('plays back the provider\'s error codes: an unknown token, a wrong secret, a second use', async () => {
    expect(await verifier().verify({ token: 'forged' })).toEqual({ passed: false, reason: 'invalid-input-response' });
    const token = fake.captcha.issue('turnstile');
    expect(await verifier({ secret: 'wrong' }).verify({ token })).toEqual({ passed: false, reason: 'invalid-input-secret' });
    expect(await verifier().verify({ token })).toEqual({ passed: true });
    expect(await verifier().verify({ token })).toEqual({ passed: false, reason: 'timeout-or-duplicate' });
  });

  it('refuses a token made for another action, or solved on a hostname not expected', async () => {
    expect(await verifier().verify({ token: fake.captcha.issue('turnstile', { action: 'signup' }) })).toEqual({ passed: false, reason: 'action_mismatch' });
    const hosts = new Set(['auth.example.com']);
    expect(await verifier({ expectedHostnames: hosts }).verify({ token: fake.captcha.issue('turnstile', { hostname: 'evil.example' }) })).toEqual({
      passed: false,
      reason: 'hostname_mismatch',
    });
    expect(await verifier({ expectedHostnames: hosts }).verify({ token: fake.captcha.issue('turnstile', { hostname: 'auth.example.com' }) })).toEqual({
      passed: true,
    });
  });

  it('retries a 5xx once with the same idempotency_key, so the retry is the same validation', async () => {
    fake.captcha.turnstile.enqueue(reply.html502());
    const token = fake.captcha.issue('turnstile');
    expect(await verifier().verify({ token })).toEqual({ passed: true });
    const [first, second] = fake.captcha.turnstile.requests.slice(-2).map((request) => request.body as Record<string, string>);
    expect(second.idempotency_key).toBe(first.idempotency_key);
  });

  it('retries once when the first answer comes later than the timeout', async () => {
    const before = fake.captcha.turnstile.requests.length;
    fake.captcha.turnstile.enqueue(reply.delay(600));
    expect(await verifier().verify({ token: fake.captcha.issue('turnstile') })).toEqual({ passed: true });
    expect(fake.captcha.turnstile.requests.length - before).toBe(2);
  });

  it('gives up after a timeout and a retry that times out too: CaptchaUnavailableError', async () => {
    fake.captcha.turnstile.enqueue(reply.hang(), reply.hang());
    const started = Date.now();
    await expect(verifier().verify({ token: fake.captcha.issue('turnstile') })).rejects.toThrow(CaptchaUnavailableError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('is unavailable on two 5xx, a body that is not a verdict, or a refused connection', async () => {
    fake.captcha.turnstile.enqueue(reply.empty500(), reply.html502());
    await expect(verifier().verify({ token: fake.captcha.issue('turnstile') })).rejects.toThrow('turnstile siteverify: HTTP 502');
    fake.captcha.turnstile.enqueue(reply.text(200, 'ok'), reply.json(200, { nope: true }));
    await expect(verifier().verify({ token: fake.captcha.issue('turnstile') })).rejects.toThrow(CaptchaUnavailableError);
    await expect(verifier({ verifyUrl: `${await refusedBaseUrl()}/turnstile/v0/siteverify` }).verify({ token: 't' })).rejects.toThrow(
      /network failure/,
    );
  });
});

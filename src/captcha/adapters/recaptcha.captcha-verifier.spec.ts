import { CaptchaUnavailableError } from '../captcha-verifier.js';
import { type FakeProviders, reply, startFakeProviders } from '../../../test/support/fake-providers.js';
import { RecaptchaCaptchaVerifier, type RecaptchaOptions } from './recaptcha.captcha-verifier.js';

describe(RecaptchaCaptchaVerifier.name, () => {
  let fake: FakeProviders;
  beforeAll(async () => {
    fake = await startFakeProviders();
  });
  afterAll(async () => fake.close());
  afterEach(() => fake.captcha.recaptcha.reset());

  const verifier = (options: Partial<RecaptchaOptions> = {}) =>
    new RecaptchaCaptchaVerifier({
      secret: fake.captcha.secrets.recaptcha,
      verifyUrl: fake.captcha.env('recaptcha', fake.baseUrl).CAPTCHA_VERIFY_URL,
      timeoutMs: 300,
      minScore: 0.5,
      expectedAction: 'login',
      expectedHostnames: new Set(),
      ...options,
    });

  it('posts exactly secret, response and remoteip as a form, and passes a human score for the expected action', async () => {
    const token = fake.captcha.issue('recaptcha', { score: 0.7 });
    expect(await verifier().verify({ token, remoteIp: '198.51.100.4' })).toEqual({ passed: true });
    const request = fake.captcha.recaptcha.lastRequest!;
    expect(request.url).toBe('/recaptcha/api/siteverify');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.body).toEqual({ secret: fake.captcha.secrets.recaptcha, response: token, remoteip: '198.51.100.4' });
  });

  it('refuses a score under CAPTCHA_MIN_SCORE, and accepts one exactly at it', async () => {
    expect(await verifier().verify({ token: fake.captcha.issue('recaptcha', { score: 0.3 }) })).toEqual({ passed: false, reason: 'low_score' });
    expect(await verifier({ minScore: 0.3 }).verify({ token: fake.captcha.issue('recaptcha', { score: 0.3 }) })).toEqual({ passed: true });
  });

  it('refuses another action, another hostname, and an answer without a score (a v2 token)', async () => {
    expect(await verifier().verify({ token: fake.captcha.issue('recaptcha', { action: 'signup' }) })).toEqual({ passed: false, reason: 'action_mismatch' });
    const strict = verifier({ expectedHostnames: new Set(['auth.example.com']) });
    expect(await strict.verify({ token: fake.captcha.issue('recaptcha') })).toEqual({ passed: false, reason: 'hostname_mismatch' });
    fake.captcha.recaptcha.enqueue(reply.json(200, { success: true, hostname: 'localhost', action: 'login', challenge_ts: '2026-01-01T00:00:00Z' }));
    expect(await verifier().verify({ token: 'v2-token' })).toEqual({ passed: false, reason: 'low_score' });
  });

  it('plays back reCAPTCHA\'s error codes, a second use being timeout-or-duplicate', async () => {
    const token = fake.captcha.issue('recaptcha');
    expect(await verifier().verify({ token })).toEqual({ passed: true });
    expect(await verifier().verify({ token })).toEqual({ passed: false, reason: 'timeout-or-duplicate' });
    expect(await verifier({ secret: 'wrong' }).verify({ token: fake.captcha.issue('recaptcha') })).toEqual({ passed: false, reason: 'invalid-input-secret' });
  });

  it('retries one timeout, and is unavailable after two', async () => {
    fake.captcha.recaptcha.enqueue(reply.hang());
    expect(await verifier().verify({ token: fake.captcha.issue('recaptcha') })).toEqual({ passed: true });
    fake.captcha.recaptcha.enqueue(reply.hang(), reply.delay(1_000));
    await expect(verifier().verify({ token: fake.captcha.issue('recaptcha') })).rejects.toThrow(CaptchaUnavailableError);
  });
});

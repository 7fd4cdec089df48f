import { CaptchaUnavailableError } from '../captcha-verifier.js';
import { type FakeProviders, reply, startFakeProviders } from '../../../test/support/fake-providers.js';
import { HCaptchaCaptchaVerifier, type HCaptchaOptions } from './hcaptcha.captcha-verifier.js';

describe(HCaptchaCaptchaVerifier.name, () => {
  let fake: FakeProviders;
  beforeAll(async () => {
    fake = await startFakeProviders();
  });
  afterAll(async () => fake.close());
  afterEach(() => fake.captcha.hcaptcha.reset());

  const verifier = (options: Partial<HCaptchaOptions> = {}) =>
    new HCaptchaCaptchaVerifier({
      secret: fake.captcha.secrets.hcaptcha,
      siteKey: fake.captcha.siteKeys.hcaptcha,
      verifyUrl: fake.captcha.env('hcaptcha', fake.baseUrl).CAPTCHA_VERIFY_URL,
      timeoutMs: 300,
      expectedHostnames: new Set(),
      ...options,
    });

  it('posts secret, response, remoteip and sitekey as a form, and passes a solved token', async () => {
    const token = fake.captcha.issue('hcaptcha');
    expect(await verifier().verify({ token, remoteIp: '2001:db8::7' })).toEqual({ passed: true });
    const request = fake.captcha.hcaptcha.lastRequest!;
    expect(request.url).toBe('/siteverify');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.body).toEqual({ secret: fake.captcha.secrets.hcaptcha, response: token, remoteip: '2001:db8::7', sitekey: fake.captcha.siteKeys.hcaptcha });
  });

  it('leaves remoteip out when the address is unknown', async () => {
    await verifier().verify({ token: fake.captcha.issue('hcaptcha') });
    expect(Object.keys(fake.captcha.hcaptcha.lastRequest!.body as object).sort()).toEqual(['response', 'secret', 'sitekey']);
  });

  it('plays back hCaptcha\'s error codes: unknown token, seen before, solved for another site key', async () => {
    expect(await verifier().verify({ token: 'forged' })).toEqual({ passed: false, reason: 'invalid-input-response' });
    const token = fake.captcha.issue('hcaptcha');
    await verifier().verify({ token });
    expect(await verifier().verify({ token })).toEqual({ passed: false, reason: 'invalid-or-already-seen-response' });
    expect(await verifier().verify({ token: fake.captcha.issue('hcaptcha', { siteKey: 'another-site' }) })).toEqual({
      passed: false,
      reason: 'sitekey-secret-mismatch',
    });
  });

  it('refuses a token solved on a hostname not expected', async () => {
    const strict = verifier({ expectedHostnames: new Set(['auth.example.com']) });
    expect(await strict.verify({ token: fake.captcha.issue('hcaptcha', { hostname: 'localhost' }) })).toEqual({ passed: false, reason: 'hostname_mismatch' });
    expect(await strict.verify({ token: fake.captcha.issue('hcaptcha', { hostname: 'Auth.Example.com' }) })).toEqual({ passed: true });
  });

  it('retries one 5xx, and is unavailable after two', async () => {
    fake.captcha.hcaptcha.enqueue(reply.empty500());
    expect(await verifier().verify({ token: fake.captcha.issue('hcaptcha') })).toEqual({ passed: true });
    fake.captcha.hcaptcha.enqueue(reply.empty500(), reply.destroy());
    await expect(verifier().verify({ token: fake.captcha.issue('hcaptcha') })).rejects.toThrow(CaptchaUnavailableError);
  });
});

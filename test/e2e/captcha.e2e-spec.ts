import { createHash } from 'node:crypto';
import { type FakeCaptchaProvider, type FakeProviders, reply, startFakeProviders } from '../support/fake-providers.js';
import { describeOnEveryStore, json, phoneSequence, postJson, startTestApp, TestApp, verifyCode } from '../support/e2e-kit.js';

const API_KEY = 'pa_captcha_test_key_0123456789abcdef01';
const API_KEYS = `billing:${createHash('sha256').update(API_KEY).digest('hex')}`;
const PROVIDERS: FakeCaptchaProvider[] = ['turnstile', 'hcaptcha', 'recaptcha'];

describeOnEveryStore('the bot check (CAPTCHA) on the $name', (store) => {
  let fake: FakeProviders;
  const apps: TestApp[] = [];
  const nextPhone = phoneSequence('98764');
  beforeAll(async () => {
    fake = await startFakeProviders();
  });
  afterAll(async () => fake.close());
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    for (const provider of PROVIDERS) fake.captcha[provider].reset();
    fake.captcha.acceptReplays = false;
  });

  const boot = async (provider: FakeCaptchaProvider, env: Record<string, string> = {}) => {
    const app = await startTestApp({
      SMS_PROVIDERS: 'outbox',
      API_KEYS,
      CAPTCHA_MODE: 'enforce',
      CAPTCHA_TIMEOUT_MS: '300',
      ...fake.captcha.env(provider, fake.baseUrl),
      ...store.settings(),
      ...env,
    });
    apps.push(app);
    return app;
  };
  const send = (t: TestApp, phone: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    postJson(t, '/v1/otp/send', { phone, ...extra }, headers);
  const outboxOf = async (t: TestApp, phone: string) =>
    json(await t.inject({ method: 'GET', url: `/v1/dev/outbox?phone=${encodeURIComponent(phone)}` })).messages as unknown[];
  // Nothing stored: the phone has no open verification to verify against.
  const storedFor = async (t: TestApp, phone: string) => json(await verifyCode(t, { phone, code: '000000' })).code !== 'verification_not_found';
  const decisions = async (t: TestApp) =>
    (await t.inject({ method: 'GET', url: '/metrics' })).body.split('\n').filter((line) => line.startsWith('phone_auth_captcha_decisions_total{'));

  describe.each(PROVIDERS)('with %s', (provider) => {
    it('refuses an anonymous send without a token: 400 captcha_required, nothing stored or sent, the provider not asked', async () => {
      const t = await boot(provider);
      const phone = nextPhone();
      const asked = fake.captcha[provider].requests.length;
      const refused = await send(t, phone);
      expect([refused.statusCode, json(refused).code]).toEqual([400, 'captcha_required']);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await outboxOf(t, phone)).toEqual([]);
      expect(await storedFor(t, phone)).toBe(false);
      expect(fake.captcha[provider].requests).toHaveLength(asked);
    });

    it('refuses a bad token with 403 captcha_failed and sends nothing; a good token sends (202); the same token again is 403', async () => {
      const t = await boot(provider);
      const phone = nextPhone();
      const bad = await send(t, phone, { captchaToken: 'forged-token' });
      expect([bad.statusCode, json(bad).code]).toEqual([403, 'captcha_failed']);
      expect(await outboxOf(t, phone)).toEqual([]);
      expect(await storedFor(t, phone)).toBe(false);

      const token = fake.captcha.issue(provider);
      expect((await send(t, phone, { captchaToken: token })).statusCode).toBe(202);
      expect(await outboxOf(t, phone)).toHaveLength(1);

      // The provider would say success again (acceptReplays): the service remembers the token itself.
      fake.captcha.acceptReplays = true;
      const asked = fake.captcha[provider].requests.length;
      const replayed = await send(t, nextPhone(), { captchaToken: token });
      expect([replayed.statusCode, json(replayed).code]).toEqual([403, 'captcha_failed']);
      expect(fake.captcha[provider].requests).toHaveLength(asked);
      expect(await decisions(t)).toEqual(
        expect.arrayContaining([
          `phone_auth_captcha_decisions_total{provider="${provider}",decision="passed"} 1`,
          `phone_auth_captcha_decisions_total{provider="${provider}",decision="failed"} 2`,
        ]),
      );
    });
  });

  it('takes the token from the X-Captcha-Token header too', async () => {
    const t = await boot('turnstile');
    const sent = await send(t, nextPhone(), {}, { 'x-captcha-token': fake.captcha.issue('turnstile') });
    expect(sent.statusCode).toBe(202);
  });

  it('refuses a reCAPTCHA score under CAPTCHA_MIN_SCORE and a token made for another action', async () => {
    const t = await boot('recaptcha', { CAPTCHA_MIN_SCORE: '0.6' });
    expect((await send(t, nextPhone(), { captchaToken: fake.captcha.issue('recaptcha', { score: 0.5 }) })).statusCode).toBe(403);
    expect((await send(t, nextPhone(), { captchaToken: fake.captcha.issue('recaptcha', { action: 'signup' }) })).statusCode).toBe(403);
    expect((await send(t, nextPhone(), { captchaToken: fake.captcha.issue('recaptcha', { score: 0.6 }) })).statusCode).toBe(202);
  });

  it('in audit mode lets a missing and a bad token through, counts them as would_refuse and logs why without the token', async () => {
    const t = await boot('hcaptcha', { CAPTCHA_MODE: 'audit' });
    const [first, second, third] = [nextPhone(), nextPhone(), nextPhone()];
    expect((await send(t, first)).statusCode).toBe(202);
    expect((await send(t, second, { captchaToken: 'forged-token-value' })).statusCode).toBe(202);
    expect((await send(t, third, { captchaToken: fake.captcha.issue('hcaptcha') })).statusCode).toBe(202);
    expect(await outboxOf(t, second)).toHaveLength(1);
    expect(await decisions(t)).toEqual(
      expect.arrayContaining([
        'phone_auth_captcha_decisions_total{provider="hcaptcha",decision="would_refuse"} 2',
        'phone_auth_captcha_decisions_total{provider="hcaptcha",decision="passed"} 1',
      ]),
    );
    const audit = t.logs.lines.filter((line) => line.includes('[audit] would refuse'));
    expect(audit).toHaveLength(2);
    expect(audit.join('\n')).toContain('CAPTCHA missing');
    expect(t.logs.lines.join('\n')).not.toContain('forged-token-value');
  });

  it('lets an API-key client through without a token, without asking the provider, and counts it skipped_api_key', async () => {
    const t = await boot('turnstile');
    const phone = nextPhone();
    const asked = fake.captcha.turnstile.requests.length;
    expect((await send(t, phone, {}, { 'x-api-key': API_KEY })).statusCode).toBe(202);
    expect(await outboxOf(t, phone)).toHaveLength(1);
    expect(fake.captcha.turnstile.requests).toHaveLength(asked);
    expect(await decisions(t)).toContain('phone_auth_captcha_decisions_total{provider="turnstile",decision="skipped_api_key"} 1');
  });

  it('checks a token an API-key client relays for its end user (their address as remoteip), and refuses a bad one', async () => {
    const t = await boot('turnstile');
    const relay = { 'x-api-key': API_KEY, 'x-end-user-ip': '198.51.100.23' };
    const token = fake.captcha.issue('turnstile');
    expect((await send(t, nextPhone(), { captchaToken: token }, relay)).statusCode).toBe(202);
    expect(fake.captcha.turnstile.lastRequest!.body).toMatchObject({ response: token, remoteip: '198.51.100.23' });
    const refused = await send(t, nextPhone(), { captchaToken: 'forged' }, relay);
    expect([refused.statusCode, json(refused).code]).toEqual([403, 'captcha_failed']);
  });

  it('fails closed when the provider is down: 503 captcha_unavailable with Retry-After, nothing sent; CAPTCHA_FAIL_OPEN lets it through', async () => {
    const closed = await boot('turnstile');
    fake.captcha.turnstile.always(reply.html502());
    const phone = nextPhone();
    const asked = fake.captcha.turnstile.requests.length;
    const refused = await send(closed, phone, { captchaToken: fake.captcha.issue('turnstile') });
    expect([refused.statusCode, json(refused).code, refused.headers['retry-after']]).toEqual([503, 'captcha_unavailable', '5']);
    expect(await outboxOf(closed, phone)).toEqual([]);
    // The check and its one retry.
    expect(fake.captcha.turnstile.requests.length - asked).toBe(2);

    const open = await boot('turnstile', { CAPTCHA_FAIL_OPEN: 'true' });
    expect((await send(open, phone, { captchaToken: fake.captcha.issue('turnstile') })).statusCode).toBe(202);
    expect(await decisions(open)).toContain('phone_auth_captcha_decisions_total{provider="turnstile",decision="error"} 1');
  });

  it('checks anonymous verifies only with CAPTCHA_ON_VERIFY', async () => {
    const t = await boot('turnstile', { CAPTCHA_ON_VERIFY: 'true' });
    const phone = nextPhone();
    const sent = await send(t, phone, { captchaToken: fake.captcha.issue('turnstile') });
    const verificationId = json(sent).verificationId as string;
    const bare = await verifyCode(t, { verificationId, code: t.codes.last });
    expect([bare.statusCode, json(bare).code]).toEqual([400, 'captcha_required']);
    const verified = await verifyCode(t, { verificationId, code: t.codes.last, captchaToken: fake.captcha.issue('turnstile') });
    expect(verified.statusCode).toBe(200);

    const lenient = await boot('turnstile');
    const other = nextPhone();
    const otherSent = await send(lenient, other, { captchaToken: fake.captcha.issue('turnstile') });
    expect((await verifyCode(lenient, { verificationId: json(otherSent).verificationId, code: lenient.codes.last })).statusCode).toBe(200);
  });

  it('lets an Idempotency-Key retry with a fresh token replay the first answer (the token is not part of the fingerprint)', async () => {
    const t = await boot('turnstile');
    const phone = nextPhone();
    const key = { 'idempotency-key': `captcha-${phone}` };
    const first = await send(t, phone, { captchaToken: fake.captcha.issue('turnstile') }, key);
    const retry = await send(t, phone, { captchaToken: fake.captcha.issue('turnstile') }, key);
    expect([first.statusCode, retry.statusCode, retry.headers['idempotent-replayed']]).toEqual([202, 202, 'true']);
    expect(await outboxOf(t, phone)).toHaveLength(1);
  });
});

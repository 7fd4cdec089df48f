import { createHash } from 'node:crypto';
import { FakeClock } from '../support/fake-clock.js';
import { describeOnEveryStore, json, sendCode, startTestApp, TestApp, verifyCode } from '../support/e2e-kit.js';

const API_KEY = 'pa_throttling_test_key_0123456789abcdef';
const API_KEYS = `billing:${createHash('sha256').update(API_KEY).digest('hex')}`;

describeOnEveryStore('limits and the fraud guard on the $name', (store) => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0));
  const apps: TestApp[] = [];
  let counter = 0;
  // Each test draws its phones from its own block of numbers, so shared Redis state never leaks.
  const nextPhone = (block = '98765') => `+91${block}${String(counter++).padStart(5, '0')}`;
  const boot = async (env: Record<string, string>) => {
    const app = await startTestApp({ SMS_PROVIDERS: 'outbox', API_KEYS, ...store.settings(), ...env }, { clock });
    apps.push(app);
    return app;
  };
  const outboxOf = async (t: TestApp, phone: string) =>
    json(await t.inject({ method: 'GET', url: `/v1/dev/outbox?phone=${encodeURIComponent(phone)}` })).messages as unknown[];

  beforeEach(() => clock.advance(86_400_000));
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('cuts a burst of sends from one IP off with 429 rate_limited, Retry-After and RateLimit headers, and reopens after the window', async () => {
    const t = await boot({ RATE_LIMIT_SEND_PER_IP: '3', RATE_LIMIT_SEND_WINDOW_SECONDS: '600' });
    for (let allowed = 1; allowed <= 3; allowed += 1) {
      const sent = await sendCode(t, nextPhone());
      expect(sent.statusCode).toBe(202);
      expect([sent.headers['ratelimit-limit'], sent.headers['ratelimit-remaining']]).toEqual(['3', String(3 - allowed)]);
    }
    const phone = nextPhone();
    const refused = await sendCode(t, phone);
    expect([refused.statusCode, json(refused).code]).toEqual([429, 'rate_limited']);
    expect(refused.headers['retry-after']).toBe('600');
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(await outboxOf(t, phone)).toEqual([]);
    clock.advance(600_000);
    expect((await sendCode(t, phone)).statusCode).toBe(202);
  });

  it('counts the end user\'s address from an API-key client, and ignores X-End-User-IP from anyone else', async () => {
    const t = await boot({ RATE_LIMIT_SEND_PER_IP: '1' });
    const asClient = (ip: string) => ({ 'x-api-key': API_KEY, 'x-end-user-ip': ip });
    expect((await sendCode(t, nextPhone(), asClient('198.51.100.1'))).statusCode).toBe(202);
    expect((await sendCode(t, nextPhone(), asClient('198.51.100.2'))).statusCode).toBe(202);
    expect((await sendCode(t, nextPhone(), asClient('198.51.100.1'))).statusCode).toBe(429);
    expect((await sendCode(t, nextPhone(), { 'x-end-user-ip': '198.51.100.3' })).statusCode).toBe(202);
    expect((await sendCode(t, nextPhone(), { 'x-end-user-ip': '198.51.100.4' })).statusCode).toBe(429);
  });

  it('believes X-Forwarded-For only with TRUST_PROXY', async () => {
    const trusting = await boot({ RATE_LIMIT_SEND_PER_IP: '1', TRUST_PROXY: 'true' });
    expect((await sendCode(trusting, nextPhone(), { 'x-forwarded-for': '203.0.113.1' })).statusCode).toBe(202);
    expect((await sendCode(trusting, nextPhone(), { 'x-forwarded-for': '203.0.113.2' })).statusCode).toBe(202);
    expect((await sendCode(trusting, nextPhone(), { 'x-forwarded-for': '203.0.113.1' })).statusCode).toBe(429);
  });

  it('limits verifies per IP', async () => {
    const t = await boot({ RATE_LIMIT_VERIFY_PER_IP: '2' });
    const { verificationId } = json(await sendCode(t, nextPhone()));
    const verify = () => verifyCode(t, { verificationId, code: '000000' });
    await verify();
    await verify();
    const refused = await verify();
    expect([refused.statusCode, json(refused).code]).toEqual([429, 'rate_limited']);
  });

  it('puts a quota on an API-key client when one is set', async () => {
    const t = await boot({ API_CLIENT_QUOTAS: 'billing:2' });
    const headers = { 'x-api-key': API_KEY };
    expect((await sendCode(t, nextPhone(), headers)).statusCode).toBe(202);
    expect((await sendCode(t, nextPhone(), headers)).statusCode).toBe(202);
    const refused = await sendCode(t, nextPhone(), headers);
    expect([refused.statusCode, json(refused).code, json(refused).detail]).toEqual([429, 'rate_limited', 'This API key has used up its quota for now.']);
    expect((await sendCode(t, nextPhone())).statusCode).toBe(202);
  });

  it('answers a resend inside the cooldown with resend_too_soon, on another instance too, keeping the id and attempts', async () => {
    const [a, b] = [await boot({}), await boot({})];
    const phone = nextPhone();
    const first = json(await sendCode(a, phone));
    await verifyCode(a, { verificationId: first.verificationId, code: a.codes.last === '000000' ? '111111' : '000000' });
    const early = await sendCode(a, phone);
    expect([early.statusCode, json(early).code, early.headers['retry-after']]).toEqual([429, 'resend_too_soon', '30']);
    if (store.name === 'Redis store') expect((await sendCode(b, phone)).statusCode).toBe(429);
    clock.advance(30_000);
    const resent = json(await sendCode(store.name === 'Redis store' ? b : a, phone));
    expect([resent.verificationId, resent.attemptsRemaining]).toEqual([first.verificationId, 4]);
  });

  it('caps sends per phone per hour, whatever the cooldown', async () => {
    const t = await boot({ OTP_PHONE_MAX_SENDS_PER_HOUR: '2', OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const phone = nextPhone();
    expect((await sendCode(t, phone)).statusCode).toBe(202);
    expect((await sendCode(t, phone)).statusCode).toBe(202);
    const refused = await sendCode(t, phone);
    expect([refused.statusCode, json(refused).code, refused.headers['retry-after']]).toEqual([429, 'rate_limited', '3600']);
    expect(await outboxOf(t, phone)).toHaveLength(2);
    clock.advance(3_600_000);
    expect((await sendCode(t, phone)).statusCode).toBe(202);
  });

  it.each([
    ['+79123456789', { DENIED_COUNTRIES: 'RU' }],
    ['+447400123456', { ALLOWED_COUNTRIES: 'IN' }],
  ])('refuses %s with country_not_allowed, before any SMS', async (phone, env) => {
    const t = await boot(env);
    const refused = await sendCode(t, phone);
    expect([refused.statusCode, json(refused).code]).toEqual([403, 'country_not_allowed']);
    expect(await outboxOf(t, phone)).toEqual([]);
    expect((await sendCode(t, nextPhone())).statusCode).toBe(202);
  });

  it('refuses a premium-rate number with number_type_not_allowed', async () => {
    const t = await boot({});
    const refused = await sendCode(t, '+449098765432');
    expect([refused.statusCode, json(refused).code]).toEqual([422, 'number_type_not_allowed']);
    expect(await outboxOf(t, '+449098765432')).toEqual([]);
  });

  it('spends a country\'s hourly budget', async () => {
    const t = await boot({ COUNTRY_SEND_BUDGETS: 'IN:2' });
    clock.advance(3_600_000 - (clock.nowMs() % 3_600_000));
    expect((await sendCode(t, nextPhone())).statusCode).toBe(202);
    expect((await sendCode(t, nextPhone())).statusCode).toBe(202);
    const phone = nextPhone();
    const refused = await sendCode(t, phone);
    expect([refused.statusCode, json(refused).code, refused.headers['retry-after']]).toEqual([429, 'rate_limited', '3600']);
    expect(await outboxOf(t, phone)).toEqual([]);
    expect((await sendCode(t, '+447400123456')).statusCode).toBe(202);
  });

  it('trips the breaker of a prefix whose codes are never used, refuses it without calling the provider, and recovers', async () => {
    const t = await boot({ PREFIX_BREAKER_MIN_SENDS: '5', PREFIX_BREAKER_MIN_CONVERSION_PERCENT: '50', PREFIX_BREAKER_BLOCK_SECONDS: '43200' });
    const block = String(1000 + (counter++ % 8000));
    const pumped = (last: number) => `+9198${block}${String(last).padStart(4, '0')}`;
    for (let last = 0; last < 5; last += 1) expect((await sendCode(t, pumped(last))).statusCode).toBe(202);
    const refused = await sendCode(t, pumped(9));
    expect([refused.statusCode, json(refused).code, refused.headers['retry-after']]).toEqual([429, 'rate_limited', '43200']);
    expect(await outboxOf(t, pumped(9))).toEqual([]);
    expect(t.logs.lines.some((line) => line.includes('blocked for 43200 s'))).toBe(true);
    expect((await sendCode(t, nextPhone('98123'))).statusCode).toBe(202);
    clock.advance(43_200_000);
    expect((await sendCode(t, pumped(9))).statusCode).toBe(202);
  });

  it('exempts test numbers from the fraud guard', async () => {
    const t = await boot({ ALLOWED_COUNTRIES: 'IN', TEST_PHONE_NUMBERS: '+15005550006:123456' });
    expect((await sendCode(t, '+15005550006')).statusCode).toBe(202);
  });
});

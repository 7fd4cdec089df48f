import { createHash } from 'node:crypto';
import { FakeClock } from '../support/fake-clock.js';
import { describeOnEveryStore, json, sendCode, startTestApp, TestApp, verifyCode } from '../support/e2e-kit.js';

const API_KEY = 'pa_fraudops_test_key_0123456789abcdef';
const API_KEYS = `fraud-desk:${createHash('sha256').update(API_KEY).digest('hex')}`;
const BREAKER = { PREFIX_BREAKER_MIN_SENDS: '5', PREFIX_BREAKER_MIN_CONVERSION_PERCENT: '50', PREFIX_BREAKER_BLOCK_SECONDS: '3600' };

describeOnEveryStore('the safe list, monitor mode and blocks on the $name', (store) => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0));
  const apps: TestApp[] = [];
  let block = 2000;
  // Each test walks its own prefix (+9197<4 digits>), so shared Redis state never leaks.
  const nextPrefix = () => `+9197${block++}`;
  const boot = async (env: Record<string, string>) => {
    const app = await startTestApp({ SMS_PROVIDERS: 'outbox', API_KEYS, ...store.settings(), ...env }, { clock });
    apps.push(app);
    return app;
  };
  const pump = async (t: TestApp, prefix: string, count = 5) => {
    for (let last = 0; last < count; last += 1) expect((await sendCode(t, `${prefix}${String(last).padStart(4, '0')}`)).statusCode).toBe(202);
  };
  const metricsOf = async (t: TestApp) => (await t.inject({ method: 'GET', url: '/metrics' })).body;
  const admin = (t: TestApp, method: 'GET' | 'DELETE', path = '', headers: Record<string, string> = { 'x-api-key': API_KEY }) =>
    t.inject({ method, url: `/v1/admin/fraud/blocks${path}`, headers });
  const listedBlock = async (t: TestApp, prefix: string) =>
    (json(await admin(t, 'GET')).blocks as { prefix: string }[]).find((block) => block.prefix === prefix);

  beforeEach(() => clock.advance(86_400_000));
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('lets a safe-listed number through a denied country, and only that number', async () => {
    const t = await boot({ DENIED_COUNTRIES: 'RU', FRAUD_SAFE_LIST: '+79123456789' });
    expect((await sendCode(t, '+79123456789')).statusCode).toBe(202);
    expect(json(await sendCode(t, '+79123456780')).code).toBe('country_not_allowed');
    expect(await metricsOf(t)).toContain('phone_auth_fraud_decisions_total{rule="countries",decision="safe_listed"} 1');
  });

  it('lets a safe-listed prefix through a blocked prefix, while the rest of it stays blocked', async () => {
    const prefix = nextPrefix();
    const t = await boot({ ...BREAKER, FRAUD_SAFE_LIST: `${prefix}99*` });
    await pump(t, prefix);
    expect(json(await sendCode(t, `${prefix}0009`)).code).toBe('rate_limited');
    expect((await sendCode(t, `${prefix}9912`)).statusCode).toBe(202);
  });

  it('lets what a monitored rule would refuse through, logs it masked and counts it', async () => {
    const t = await boot({ DENIED_COUNTRIES: 'RU', FRAUD_RULE_MODES: 'countries=monitor,number_types=enforce' });
    expect((await sendCode(t, '+79123456789')).statusCode).toBe(202);
    expect(json(await sendCode(t, '+449098765432')).code).toBe('number_type_not_allowed');
    const metrics = await metricsOf(t);
    expect(metrics).toContain('phone_auth_fraud_decisions_total{rule="countries",decision="would_refuse"} 1');
    expect(metrics).toContain('phone_auth_fraud_decisions_total{rule="number_types",decision="refused"} 1');
    expect(metrics).not.toContain('phone_auth_throttled_total{rule="country"}');
    expect(t.logs.lines.some((line) => line.includes('[monitor] countries would refuse +7******6789'))).toBe(true);
    expect(t.logs.lines.some((line) => line.includes('79123456789'))).toBe(false);
  });

  it('lets sends into a tripped prefix through when the breaker only monitors', async () => {
    const prefix = nextPrefix();
    const t = await boot({ ...BREAKER, FRAUD_RULE_MODES: 'prefix_breaker=monitor' });
    await pump(t, prefix);
    expect((await sendCode(t, `${prefix}0009`)).statusCode).toBe(202);
    expect(await metricsOf(t)).toContain('phone_auth_fraud_decisions_total{rule="prefix_breaker",decision="would_refuse"} 1');
  });

  it('lists a tripped prefix with the numbers that tripped it, and lifts it so that sends pass again', async () => {
    const prefix = nextPrefix();
    const t = await boot(BREAKER);
    const first = json(await sendCode(t, `${prefix}0100`));
    expect((await verifyCode(t, { verificationId: first.verificationId, code: t.codes.last })).statusCode).toBe(200);
    await pump(t, prefix, 4);
    const since = new Date(clock.nowMs()).toISOString();
    expect(json(await sendCode(t, `${prefix}0009`)).code).toBe('rate_limited');
    expect(await listedBlock(t, prefix)).toEqual({
      prefix,
      since,
      until: new Date(clock.nowMs() + 3_600_000).toISOString(),
      sends: 5,
      verified: 1,
      conversion: 0.2,
      renewals: 0,
    });
    expect(t.logs.lines.some((line) => line.includes('admin fraud-desk listed'))).toBe(true);

    const lifted = await admin(t, 'DELETE', `/${encodeURIComponent(prefix)}`);
    expect([lifted.statusCode, lifted.body]).toEqual([204, '']);
    expect(t.logs.lines.some((line) => line.includes(`admin fraud-desk lifted the block of prefix ${prefix}xxxx`))).toBe(true);
    expect(await listedBlock(t, prefix)).toBeUndefined();
    expect((await sendCode(t, `${prefix}0009`)).statusCode).toBe(202);
    const again = await admin(t, 'DELETE', `/${prefix}`);
    expect([again.statusCode, again.headers['content-type'], json(again).code]).toEqual([404, expect.stringMatching(/^application\/problem\+json/), 'not_found']);
  });

  it('renews a block that attempts keep hitting without converting, and lets one end that traffic left alone', async () => {
    const [pumped, quiet] = [nextPrefix(), nextPrefix()];
    const t = await boot(BREAKER);
    await pump(t, pumped);
    await pump(t, quiet);
    // The tripping rate, 5 per hour of block, goes on into the pumped prefix only.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      clock.advance(600_000);
      expect(json(await sendCode(t, `${pumped}${String(attempt).padStart(4, '0')}`)).code).toBe('rate_limited');
    }
    clock.advance(600_000);
    const renewed = await sendCode(t, `${pumped}0042`);
    expect([renewed.statusCode, renewed.headers['retry-after']]).toEqual([429, '3600']);
    expect(await listedBlock(t, pumped)).toMatchObject({ sends: 5, verified: 0, conversion: 0, renewals: 1 });
    expect(t.logs.lines.some((line) => line.includes(`prefix ${pumped}xxxx blocked again for 3600 s: 5 attempts during its block, 0 verified`))).toBe(true);
    expect((await sendCode(t, `${quiet}0042`)).statusCode).toBe(202);
    expect(await listedBlock(t, quiet)).toBeUndefined();
  });

  it('refuses admin routes without a valid API key', async () => {
    const t = await boot({});
    for (const [method, path] of [['GET', ''], ['DELETE', '/+91987654']] as const) {
      expect(json(await admin(t, method, path, {})).code).toBe('unauthorized');
      const wrongKey = await admin(t, method, path, { 'x-api-key': 'pa_not_a_key_0123456789abcdef0123' });
      expect([wrongKey.statusCode, json(wrongKey).code]).toEqual([401, 'unauthorized']);
    }
    expect((await admin(t, 'GET', '', {})).statusCode).toBe(401);
    expect(json(await admin(t, 'DELETE', '/not-a-prefix')).code).toBe('validation_failed');
  });

  it('shows conversion per country over the last hour and day', async () => {
    const t = await boot({});
    const prefix = nextPrefix();
    const sent = json(await sendCode(t, `${prefix}0001`));
    await verifyCode(t, { verificationId: sent.verificationId, code: t.codes.last });
    await sendCode(t, `${prefix}0002`);
    clock.advance(2 * 3_600_000);
    await sendCode(t, `${prefix}0003`);
    const metrics = await metricsOf(t);
    expect(metrics).toContain('phone_auth_conversion_ratio{country="IN",window="1h"} 0');
    expect(metrics).toContain(`phone_auth_conversion_ratio{country="IN",window="1d"} ${1 / 3}`);
  });
});

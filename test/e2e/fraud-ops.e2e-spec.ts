import { createHash } from 'node:crypto';
import { FakeClock } from '../support/fake-clock.js';
import { describeOnEveryStore, json, sendCode, startTestApp, TestApp } from '../support/e2e-kit.js';

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
});

import { Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DomainError } from '../common/errors/domain.error.js';
import { Clock, SystemClock } from '../common/time/clock.js';
import { InMemoryEventLog } from '../events/in-memory-event-log.js';
import { Metrics } from '../metrics/metrics.service.js';
import { FraudGuard, prefixOf } from './fraud-guard.service.js';
import { InMemoryFraudRepository } from './in-memory-fraud.repository.js';
import { throttlingConfig, ThrottlingEnvironment } from './throttling.config.js';

class StepClock extends Clock {
  ms = Date.UTC(2026, 10, 21, 12, 0, 0);
  nowMs() {
    return this.ms;
  }
}

function problemsOf(raw: Record<string, string>): string[] {
  return validateSync(plainToInstance(ThrottlingEnvironment, raw)).flatMap((error) => Object.values(error.constraints ?? {}));
}

function configOf(raw: Record<string, string>) {
  expect(problemsOf(raw)).toEqual([]);
  return throttlingConfig(plainToInstance(ThrottlingEnvironment, raw) as never);
}

const RUSSIAN = '+79123456789';
const PREMIUM_GB = '+449098765432';
const INDIAN = '+919876543210';
const BREAKER = { PREFIX_BREAKER_MIN_SENDS: '3', PREFIX_BREAKER_MIN_CONVERSION_PERCENT: '50' };

describe(FraudGuard.name, () => {
  let clock: StepClock;
  let metrics: Metrics;
  let repository: InMemoryFraudRepository;
  const guardWith = (raw: Record<string, string>) => new FraudGuard(repository, clock, configOf(raw), metrics);
  const decisions = async () =>
    Object.fromEntries((await metrics.fraudDecisions.get()).values.map(({ labels, value }) => [`${labels.rule}:${labels.decision}`, value]));
  const throttled = async () => Object.fromEntries((await metrics.throttled.get()).values.map(({ labels, value }) => [labels.rule, value]));
  const refusalOf = async (act: () => unknown) => {
    try {
      await act();
    } catch (error) {
      return (error as DomainError).code;
    }
    return 'admitted';
  };
  /** Sends to `count` numbers of the prefix of `phone`, none verified: trips a breaker of 3 sends at 50 %. */
  const pump = async (sut: FraudGuard, phone: string, count = 3) => {
    for (let last = 0; last < count; last += 1) await sut.recordSent(`${prefixOf(phone)}${String(last).padStart(4, '0')}`);
  };

  let warnings: string[];

  beforeEach(() => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    clock = new StepClock();
    metrics = new Metrics();
    repository = new InMemoryFraudRepository(new InMemoryEventLog(new SystemClock(), 1000));
  });

  afterEach(() => jest.restoreAllMocks());

  describe('in enforce mode (the default)', () => {
    it('refuses a denied country and a blocked number type, counting refused and the old throttled metric', async () => {
      const sut = guardWith({ DENIED_COUNTRIES: 'RU' });
      expect(await refusalOf(() => sut.screen(RUSSIAN))).toBe('country_not_allowed');
      expect(await refusalOf(() => sut.screen(PREMIUM_GB))).toBe('number_type_not_allowed');
      expect(await refusalOf(() => sut.screen(INDIAN))).toBe('admitted');
      expect(await decisions()).toEqual({
        'countries:refused': 1,
        'countries:allowed': 2,
        'number_types:refused': 1,
        'number_types:allowed': 1,
      });
      expect(await throttled()).toEqual({ country: 1, number_type: 1 });
    });

    it('refuses a spent country budget and a blocked prefix', async () => {
      const sut = guardWith({ COUNTRY_SEND_BUDGETS: 'IN:1', ...BREAKER });
      expect(await refusalOf(() => sut.spend(INDIAN))).toBe('admitted');
      expect(await refusalOf(() => sut.spend(INDIAN))).toBe('rate_limited');
      await pump(sut, INDIAN);
      expect(await refusalOf(() => sut.admit(INDIAN))).toBe('rate_limited');
      expect(await decisions()).toMatchObject({ 'country_budgets:allowed': 1, 'country_budgets:refused': 1, 'prefix_breaker:refused': 1 });
      expect(await throttled()).toMatchObject({ country_budget: 1, prefix_breaker: 1 });
    });
  });

  describe('blocks', () => {
    it('lists a tripped prefix with what tripped it', async () => {
      const sut = guardWith(BREAKER);
      await pump(sut, INDIAN);
      expect(await repository.listedBlocks(clock.nowMs())).toEqual([
        { prefix: prefixOf(INDIAN), sinceMs: clock.ms, untilMs: clock.ms + 43_200_000, sends: 3, verified: 0, renewals: 0 },
      ]);
    });

    it('keeps a block in force when listing it fails, and says so in the log', async () => {
      const sut = guardWith(BREAKER);
      const errors: string[] = [];
      jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
      jest.spyOn(repository, 'listBlock').mockRejectedValue(new Error('connection lost'));
      await pump(sut, INDIAN);
      expect(await refusalOf(() => sut.admit(INDIAN))).toBe('rate_limited');
      expect(errors).toEqual([`block of prefix ${prefixOf(INDIAN)}xxxx holds but is not listed: connection lost`]);
    });
  });

  describe('with a safe list', () => {
    it('lets a safe-listed number through every fraud rule and counts it as safe_listed', async () => {
      const sut = guardWith({ DENIED_COUNTRIES: 'RU,GB', COUNTRY_SEND_BUDGETS: 'IN:1', FRAUD_SAFE_LIST: `${RUSSIAN},${PREMIUM_GB},+9198765*`, ...BREAKER });
      expect(await refusalOf(() => sut.screen(RUSSIAN))).toBe('admitted');
      expect(await refusalOf(() => sut.screen(PREMIUM_GB))).toBe('admitted');
      await sut.spend('+919812345678');
      expect(await refusalOf(() => sut.spend(INDIAN))).toBe('admitted');
      await pump(sut, '+919876500000');
      await pump(sut, '+919812345678');
      expect(await refusalOf(() => sut.admit('+919812340000'))).toBe('rate_limited');
      expect(await decisions()).toMatchObject({ 'countries:safe_listed': 2, 'number_types:safe_listed': 2, 'country_budgets:safe_listed': 1 });
    });

    it('lets a safe-listed number through a blocked prefix', async () => {
      const sut = guardWith({ FRAUD_SAFE_LIST: INDIAN, ...BREAKER });
      await pump(sut, INDIAN);
      expect(await refusalOf(() => sut.admit('+919876549999'))).toBe('rate_limited');
      expect(await refusalOf(() => sut.admit(INDIAN))).toBe('admitted');
      expect(await decisions()).toMatchObject({ 'prefix_breaker:safe_listed': 1 });
    });

    it('feeds no breaker counter with safe-listed sends', async () => {
      const sut = guardWith({ FRAUD_SAFE_LIST: '+9198765*', ...BREAKER });
      for (let send = 0; send < 10; send += 1) await sut.recordSent(INDIAN);
      expect(await repository.checkPrefix(prefixOf(INDIAN), configOf(BREAKER).prefixBreaker, clock.nowMs())).toEqual({ blockedForMs: 0 });
    });

    it('never exempts a number outside the list', async () => {
      const sut = guardWith({ DENIED_COUNTRIES: 'RU', FRAUD_SAFE_LIST: '+7912345678*' });
      expect(await refusalOf(() => sut.screen('+79123456789'))).toBe('admitted');
      expect(await refusalOf(() => sut.screen('+79133456789'))).toBe('country_not_allowed');
    });
  });

  describe('in monitor mode', () => {
    it('lets what a monitored rule would refuse through, counting would_refuse, while enforced rules still refuse', async () => {
      const sut = guardWith({ DENIED_COUNTRIES: 'RU,GB', FRAUD_RULE_MODES: 'countries=monitor' });
      expect(await refusalOf(() => sut.screen(RUSSIAN))).toBe('admitted');
      expect(await refusalOf(() => sut.screen(PREMIUM_GB))).toBe('number_type_not_allowed');
      expect(await decisions()).toEqual({ 'countries:would_refuse': 2, 'number_types:allowed': 1, 'number_types:refused': 1 });
      expect(await throttled()).toEqual({ number_type: 1 });
      expect(warnings).toEqual(['[monitor] countries would refuse +7******6789; sent anyway', '[monitor] countries would refuse +44******5432; sent anyway']);
    });

    it('monitors country budgets and the prefix breaker', async () => {
      const sut = guardWith({ COUNTRY_SEND_BUDGETS: 'IN:1', FRAUD_RULE_MODES: 'country_budgets=monitor,prefix_breaker=monitor', ...BREAKER });
      await sut.spend(INDIAN);
      expect(await refusalOf(() => sut.spend(INDIAN))).toBe('admitted');
      await pump(sut, INDIAN);
      expect(await refusalOf(() => sut.admit(INDIAN))).toBe('admitted');
      expect(await decisions()).toMatchObject({ 'country_budgets:allowed': 1, 'country_budgets:would_refuse': 1, 'prefix_breaker:would_refuse': 1 });
      expect(await throttled()).toEqual({ prefix_breaker_tripped: 1 });
    });
  });

  describe('its settings', () => {
    it('refuses malformed safe-list entries and rule modes', () => {
      expect(problemsOf({ FRAUD_SAFE_LIST: '447700900123,+4477*0,+', FRAUD_RULE_MODES: 'countries=watch,geo=monitor' })).toEqual([
        'FRAUD_SAFE_LIST entries must be E.164 numbers or prefixes ending in * (+4477009*)',
        'FRAUD_RULE_MODES entries must be rule=enforce|monitor, rule one of countries, number_types, country_budgets, prefix_breaker',
      ]);
    });

    it('enforces every rule not named', () => {
      expect(configOf({ FRAUD_RULE_MODES: 'prefix_breaker=monitor' }).ruleModes).toEqual({
        countries: 'enforce',
        number_types: 'enforce',
        country_budgets: 'enforce',
        prefix_breaker: 'monitor',
      });
    });
  });
});

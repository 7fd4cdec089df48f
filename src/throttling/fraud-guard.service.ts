import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DomainError } from '../common/errors/domain.error.js';
import { countryOf, maskPhone, parseE164 } from '../common/phone/phone-number.js';
import { Metrics } from '../metrics/metrics.service.js';
import { Clock } from '../common/time/clock.js';
import { throttlingConfig } from './throttling.config.js';
import { ConversionWindows } from './conversion-windows.js';
import { FraudRepository, PrefixBlock } from './fraud.repository.js';
import { FraudRule } from './fraud-rules.js';
import { SendPolicy } from './send-policy.js';

/** All but the last four digits: the unit SMS-pumping attacks walk through. */
export function prefixOf(e164: string): string {
  return e164.slice(0, -4);
}

// phone_auth_throttled_total's rule label of each fraud rule, as it was before the rules had modes.
const THROTTLED_LABEL: Record<FraudRule, string> = {
  countries: 'country',
  number_types: 'number_type',
  country_budgets: 'country_budget',
  prefix_breaker: 'prefix_breaker',
};

/**
 * Refuses a send before any provider is called: countries, number types, a country's hourly
 * budget, and prefixes whose codes are requested far more than they are used (SMS pumping).
 * Each rule enforces or only monitors (FRAUD_RULE_MODES); safe-listed numbers skip them all.
 */
@Injectable()
export class FraudGuard extends SendPolicy {
  private readonly logger = new Logger(FraudGuard.name);
  private readonly conversion = new ConversionWindows();

  constructor(
    private readonly repository: FraudRepository,
    private readonly clock: Clock,
    @Inject(throttlingConfig.KEY) private readonly config: ConfigType<typeof throttlingConfig>,
    private readonly metrics: Metrics,
  ) {
    super();
    metrics.conversionSource = () => this.conversion.ratios(this.clock.nowMs());
  }

  /** Country and number type: rules that need no store. */
  screen(e164: string): void {
    if (this.safeListed(e164, 'countries', 'number_types')) return;
    const parsed = parseE164(e164);
    const country = parsed?.country;
    const { allowedCountries, deniedCountries } = this.config;
    const countryRefused = (allowedCountries.size > 0 && (!country || !allowedCountries.has(country))) || (country !== undefined && deniedCountries.has(country));
    this.judge('countries', e164, countryRefused, () =>
      new DomainError('country_not_allowed', 'Codes cannot be sent to numbers of this country.', { country: country ?? null }),
    );
    const type = parsed?.getType();
    this.judge('number_types', e164, type !== undefined && this.config.blockedNumberTypes.has(type), () =>
      new DomainError('number_type_not_allowed', 'Codes cannot be sent to this kind of number. Use a mobile number.', {
        numberType: type?.toLowerCase(),
      }),
    );
  }

  /**
   * The prefix breaker: spends nothing, but counts an attempt into a block, and renews a block
   * that ended while such attempts kept coming without being verified.
   */
  async admit(e164: string): Promise<void> {
    if (this.safeListed(e164, 'prefix_breaker')) return;
    const { blockedForMs, renewed } = await this.repository.checkPrefix(prefixOf(e164), this.config.prefixBreaker, this.clock.nowMs());
    if (renewed) {
      this.metrics.throttled.inc({ rule: 'prefix_breaker_renewed' });
      this.logger.warn(
        `prefix ${renewed.prefix}xxxx blocked again for ${blockedForMs / 1000} s: ${renewed.sends} attempts during its block, ${renewed.verified} verified`,
      );
      await this.list(renewed);
    }
    this.judge('prefix_breaker', e164, blockedForMs > 0, () => tooMany(blockedForMs));
  }

  /**
   * Spends one send of the country's hourly budget. Called only for a send the store admitted
   * (cooldown and per-phone limits passed), so refused sends spend nothing. A safe-listed number
   * spends none.
   */
  async spend(e164: string): Promise<void> {
    if (this.safeListed(e164, 'country_budgets')) return;
    const country = countryOf(e164);
    const budget = country ? this.config.countryBudgetsPerHour.get(country) : undefined;
    const waitMs = country === undefined || budget === undefined ? 0 : await this.repository.takeCountryBudget(country, budget, this.clock.nowMs());
    if (waitMs > 0 && this.config.ruleModes.country_budgets === 'enforce') this.logger.warn(`hourly send budget of ${country} spent`);
    this.judge('country_budgets', e164, waitMs > 0, () => tooMany(waitMs));
  }

  /** Safe-listed numbers feed no breaker counter: their (test) traffic must not hide or cause a trip. */
  async recordSent(e164: string): Promise<void> {
    this.countConversion(e164, 'sent');
    if (this.config.safeList.has(e164)) return;
    const prefix = prefixOf(e164);
    const block = await this.repository
      .recordSend(prefix, this.config.prefixBreaker, this.clock.nowMs())
      .catch((error: Error) => this.countersNotUpdated(error));
    if (block) {
      this.metrics.throttled.inc({ rule: 'prefix_breaker_tripped' });
      this.logger.warn(
        `prefix ${prefix}xxxx blocked for ${this.config.prefixBreaker.blockMs / 1000} s: too few of its codes are verified (${block.verified} of ${block.sends})`,
      );
      await this.list(block);
    }
  }

  async recordVerified(e164: string): Promise<void> {
    this.countConversion(e164, 'verified');
    if (this.config.safeList.has(e164)) return;
    await this.repository
      .recordVerified(prefixOf(e164), this.config.prefixBreaker, this.clock.nowMs())
      .catch((error: Error) => this.countersNotUpdated(error));
  }

  private safeListed(e164: string, ...rules: FraudRule[]): boolean {
    if (!this.config.safeList.has(e164)) return false;
    for (const rule of rules) this.metrics.fraudDecisions.inc({ rule, decision: 'safe_listed' });
    return true;
  }

  /** Counts the rule's decision; a refusal throws in enforce mode and is only logged in monitor mode. */
  private judge(rule: FraudRule, e164: string, refuses: boolean, refusal: () => DomainError): void {
    if (!refuses) {
      this.metrics.fraudDecisions.inc({ rule, decision: 'allowed' });
      return;
    }
    if (this.config.ruleModes[rule] === 'monitor') {
      this.metrics.fraudDecisions.inc({ rule, decision: 'would_refuse' });
      this.logger.warn(`[monitor] ${rule} would refuse ${maskPhone(e164)}; sent anyway`);
      return;
    }
    this.metrics.fraudDecisions.inc({ rule, decision: 'refused' });
    this.metrics.throttled.inc({ rule: THROTTLED_LABEL[rule] });
    throw refusal();
  }

  private countConversion(e164: string, event: 'sent' | 'verified'): void {
    const country = countryOf(e164);
    if (country !== undefined) this.conversion.record(country, event, this.clock.nowMs());
  }

  /** The block holds on its prefix's key whatever happens here: a failed write only leaves it off the admin list. */
  private async list(block: PrefixBlock): Promise<void> {
    await this.repository
      .listBlock(block, this.clock.nowMs())
      .catch((error: Error) => this.logger.error(`block of prefix ${block.prefix}xxxx holds but is not listed: ${error.message}`));
  }

  private countersNotUpdated(error: Error): null {
    this.logger.error(`fraud counters not updated: ${error.message}`);
    return null;
  }
}

function tooMany(retryAfterMs: number): DomainError {
  return new DomainError('rate_limited', 'Too many codes were requested for numbers like this one. Try again later.', {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
}

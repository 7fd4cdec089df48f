import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DomainError } from '../common/errors/domain.error.js';
import { countryOf, parseE164 } from '../common/phone/phone-number.js';
import { Metrics } from '../metrics/metrics.service.js';
import { Clock } from '../common/time/clock.js';
import { throttlingConfig } from './throttling.config.js';
import { FraudRepository } from './fraud.repository.js';
import { SendPolicy } from './send-policy.js';

/** All but the last four digits: the unit SMS-pumping attacks walk through. */
export function prefixOf(e164: string): string {
  return e164.slice(0, -4);
}

/**
 * Refuses a send before any provider is called: countries, number types, a country's hourly
 * budget, and prefixes whose codes are requested far more than they are used (SMS pumping).
 */
@Injectable()
export class FraudGuard extends SendPolicy {
  private readonly logger = new Logger(FraudGuard.name);

  constructor(
    private readonly repository: FraudRepository,
    private readonly clock: Clock,
    @Inject(throttlingConfig.KEY) private readonly config: ConfigType<typeof throttlingConfig>,
    private readonly metrics: Metrics,
  ) {
    super();
  }

  /** Country and number type: rules that need no store. */
  screen(e164: string): void {
    const parsed = parseE164(e164);
    const country = parsed?.country;
    const { allowedCountries, deniedCountries } = this.config;
    if ((allowedCountries.size > 0 && (!country || !allowedCountries.has(country))) || (country && deniedCountries.has(country))) {
      this.metrics.throttled.inc({ rule: 'country' });
      throw new DomainError('country_not_allowed', 'Codes cannot be sent to numbers of this country.', { country: country ?? null });
    }
    const type = parsed?.getType();
    if (type && this.config.blockedNumberTypes.has(type)) {
      this.metrics.throttled.inc({ rule: 'number_type' });
      throw new DomainError('number_type_not_allowed', 'Codes cannot be sent to this kind of number. Use a mobile number.', {
        numberType: type.toLowerCase(),
      });
    }
  }

  /** The prefix breaker: a read that spends nothing. */
  async admit(e164: string): Promise<void> {
    const blockedMs = await this.repository.prefixBlockedForMs(prefixOf(e164), this.clock.nowMs());
    if (blockedMs > 0) {
      this.metrics.throttled.inc({ rule: 'prefix_breaker' });
      throw tooMany(blockedMs);
    }
  }

  /**
   * Spends one send of the country's hourly budget. Called only for a send the store admitted
   * (cooldown and per-phone limits passed), so refused sends spend nothing.
   */
  async spend(e164: string): Promise<void> {
    const country = countryOf(e164);
    const budget = country ? this.config.countryBudgetsPerHour.get(country) : undefined;
    if (country === undefined || budget === undefined) return;
    const waitMs = await this.repository.takeCountryBudget(country, budget, this.clock.nowMs());
    if (waitMs > 0) {
      this.metrics.throttled.inc({ rule: 'country_budget' });
      this.logger.warn(`hourly send budget of ${country} spent`);
      throw tooMany(waitMs);
    }
  }

  async recordSent(e164: string): Promise<void> {
    const prefix = prefixOf(e164);
    const tripped = await this.repository
      .recordSend(prefix, this.config.prefixBreaker, this.clock.nowMs())
      .catch((error: Error) => this.countersNotUpdated(error));
    if (tripped) {
      this.metrics.throttled.inc({ rule: 'prefix_breaker_tripped' });
      this.logger.warn(
        `prefix ${prefix}xxxx blocked for ${this.config.prefixBreaker.blockMs / 1000} s: too few of its codes are verified`,
      );
    }
  }

  async recordVerified(e164: string): Promise<void> {
    await this.repository
      .recordVerified(prefixOf(e164), this.config.prefixBreaker, this.clock.nowMs())
      .catch((error: Error) => this.countersNotUpdated(error));
  }

  private countersNotUpdated(error: Error): false {
    this.logger.error(`fraud counters not updated: ${error.message}`);
    return false;
  }
}

function tooMany(retryAfterMs: number): DomainError {
  return new DomainError('rate_limited', 'Too many codes were requested for numbers like this one. Try again later.', {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
}

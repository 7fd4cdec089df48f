import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain.error.js';
import { countryOf } from '../common/phone/phone-number.js';
import { Metrics } from '../metrics/metrics.service.js';
import type { VerificationView } from '../otp/verification.service.js';
import { TEST_NUMBER_PROVIDER } from '../providers/code-delivery.service.js';
import type { TokenPair } from '../sessions/session.service.js';

/**
 * The one seam where login outcomes are counted: each use case hands over its promise, and the
 * outcome (the delivery, or the refusal's code) is counted when it settles. The caller gets the
 * promise back unchanged.
 */
@Injectable()
export class LoginMetrics {
  constructor(private readonly metrics: Metrics) {}

  send<T extends { view: VerificationView }>(sent: Promise<T>): Promise<T> {
    sent.then(
      ({ view: { verification: { provider, phone, channel } } }) =>
        this.metrics.sends.inc({
          channel,
          provider,
          country: countryOf(phone) ?? 'unknown',
          outcome: provider === TEST_NUMBER_PROVIDER ? 'test_number' : 'sent',
        }),
      (error: unknown) => this.metrics.sends.inc({ channel: 'none', provider: 'none', country: 'unknown', outcome: outcomeOf(error) }),
    ).catch(uncounted);
    return sent;
  }

  /** A login's tokens, or a step-up's or phone change's result: each approval counts alike. */
  verify<T = TokenPair>(verified: Promise<T>): Promise<T> {
    verified.then(
      () => this.metrics.verifications.inc({ outcome: 'approved' }),
      (error: unknown) => this.metrics.verifications.inc({ outcome: outcomeOf(error) }),
    ).catch(uncounted);
    return verified;
  }
}

// A metric that could not be counted must never become an unhandled rejection (it would end the process).
function uncounted(): void {}

function outcomeOf(error: unknown): string {
  return error instanceof DomainError ? error.code : 'internal_error';
}

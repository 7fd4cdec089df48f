import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DomainError } from '../common/errors/domain.error.js';
import { countryOf, maskPhone } from '../common/phone/phone-number.js';
import { otpConfig } from '../otp/otp.config.js';
import { otpText } from './otp-message.js';
import { providersConfig } from './providers.config.js';
import type { ProviderVerdict } from './sms-provider.js';
import { AllProvidersFailedError, SmsRouter } from './sms-router.js';

/** Provider name of verifications for TEST_PHONE_NUMBERS: nothing is sent, the code is fixed. */
export const TEST_NUMBER_PROVIDER = 'test-number';

export interface CodeToDeliver {
  verificationId: string;
  /** Which send of the verification this is: one idempotency key per send. */
  sendNumber: number;
  /** E.164. */
  phone: string;
  code: string;
  locale?: string;
}

export interface Delivered {
  provider: string;
  providerRef: string;
  /** The provider made and checks its own code. */
  ownsCode: boolean;
}

/**
 * Puts a code in front of a person: the SMS text in their language, the country's provider
 * order with failover, and the provider's own check for codes it made. When no provider
 * answers, a DomainError says so (`provider_unavailable`).
 */
@Injectable()
export class CodeDelivery {
  private readonly logger = new Logger(CodeDelivery.name);

  constructor(
    private readonly router: SmsRouter,
    @Inject(providersConfig.KEY) private readonly config: ConfigType<typeof providersConfig>,
    @Inject(otpConfig.KEY) private readonly otp: ConfigType<typeof otpConfig>,
  ) {}

  /** The fixed code of a test number (TEST_PHONE_NUMBERS), which never reaches a provider. */
  testCodeOf(phone: string): string | undefined {
    return this.config.testNumbers.get(phone);
  }

  /** Whether some configured provider checks codes itself (its codes may differ in length). */
  get anyOwnsCodes(): boolean {
    return this.router.anyOwnsCodes;
  }

  async deliver(request: CodeToDeliver): Promise<Delivered> {
    const { code, locale, phone } = request;
    const ttlSeconds = this.otp.ttlSeconds;
    try {
      const { provider, dispatch } = await this.router.send(
        {
          verificationId: request.verificationId,
          channel: 'sms',
          to: phone,
          code,
          text: otpText({ code, ttlSeconds, appName: this.config.appName, locale, originHost: this.config.originHost }),
          locale,
          ttlSeconds,
          // One key per send of a verification: a retry of this send never makes a second SMS.
          idempotencyKey: `${request.verificationId}.${request.sendNumber}`,
        },
        countryOf(phone),
      );
      return { provider: provider.name, providerRef: dispatch.providerRef ?? '', ownsCode: provider.ownsCodes };
    } catch (error) {
      if (!(error instanceof AllProvidersFailedError)) throw error;
      this.logger.error(`sending to ${maskPhone(phone)} failed: ${error.message}`);
      throw new DomainError('provider_unavailable', 'The code could not be sent. Try again shortly.', { retryAfterSeconds: 1 }, { cause: error });
    }
  }

  /** Asks the provider that made the code; no failover, the verification is its own. */
  async check(provider: string, request: { providerRef: string; phone: string; code: string }): Promise<ProviderVerdict> {
    try {
      return await this.router.check(provider, { channel: 'sms', providerRef: request.providerRef, to: request.phone, code: request.code });
    } catch (error) {
      this.logger.error(`checking a code for ${maskPhone(request.phone)} failed: ${(error as Error).message}`);
      throw new DomainError('provider_unavailable', 'The code could not be checked. Try again shortly.', { retryAfterSeconds: 1 }, { cause: error });
    }
  }
}

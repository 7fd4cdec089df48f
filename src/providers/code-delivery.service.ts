import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DomainError } from '../common/errors/domain.error.js';
import { countryOf, maskPhone } from '../common/phone/phone-number.js';
import { otpConfig } from '../otp/otp.config.js';
import { ChannelRouters } from './channel-routers.js';
import { channelText, type Confirmation } from './otp-message.js';
import { ChannelChoice, providersConfig } from './providers.config.js';
import type { Channel, ProviderVerdict } from './sms-provider.js';
import { AllProvidersFailedError } from './sms-router.js';

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
  /** A step-up: what the code confirms, written into the text (a provider that owns its code uses its own text). */
  confirming?: Confirmation;
  /** The channels to try, in order (CodeDelivery.plan). */
  channels: Channel[];
  /** Asked before falling through to each channel after the first; false skips that channel (its caps refused). */
  admitFallThrough?: (channel: Channel) => Promise<boolean>;
  /** On the first channel, only the providers after this one in the order (a redelivery). */
  after?: string;
}

/** A send that a provider accepted and then reported undelivered. */
export interface FailedDelivery {
  channel: Channel;
  provider: string;
}

export interface Delivered {
  /** The channel that carried it. */
  channel: Channel;
  provider: string;
  providerRef: string;
  /** The provider made and checks its own code. */
  ownsCode: boolean;
}

/**
 * Puts a code in front of a person: the channels their country is offered, the text for the
 * channel in their language, each channel's provider order with failover (and, for `auto`, the
 * next channel when one fails), and the provider's own check for codes it made. When no
 * provider answers, a DomainError says so (`provider_unavailable`).
 */
@Injectable()
export class CodeDelivery {
  private readonly logger = new Logger(CodeDelivery.name);

  constructor(
    private readonly routers: ChannelRouters,
    @Inject(providersConfig.KEY) private readonly config: ConfigType<typeof providersConfig>,
    @Inject(otpConfig.KEY) private readonly otp: ConfigType<typeof otpConfig>,
  ) {}

  /** The fixed code of a test number (TEST_PHONE_NUMBERS), which never reaches a provider. */
  testCodeOf(phone: string): string | undefined {
    return this.config.testNumbers.get(phone);
  }

  /** Whether some configured provider checks codes itself (its codes may differ in length). */
  get anyOwnsCodes(): boolean {
    return this.routers.anyOwnsCodes;
  }

  /** The channels a person with this number may pick, in their country's order. */
  offered(phone: string): Channel[] {
    return this.routers.offered(countryOf(phone));
  }

  /** The channels offered in a country (ISO 3166-1 alpha-2; any other country's when absent). */
  offeredIn(country: string | undefined): Channel[] {
    return this.routers.offered(country);
  }

  /** The channels to try for a send, before anything is stored: a channel not on offer is refused (`channel_unavailable`). */
  plan(phone: string, choice: ChannelChoice): Channel[] {
    const country = countryOf(phone);
    const channels = this.routers.plan(country, choice);
    if (channels !== undefined && channels.length > 0) return channels;
    const offered = this.routers.offered(country);
    throw new DomainError('channel_unavailable', `Codes cannot be sent by ${choice} to this number. Pick one of: ${offered.join(', ')}.`, {
      channels: offered,
    });
  }

  async deliver(request: CodeToDeliver): Promise<Delivered> {
    const failures: string[] = [];
    for (const [index, channel] of request.channels.entries()) {
      if (index > 0 && request.admitFallThrough && !(await request.admitFallThrough(channel))) {
        failures.push(`${channel}: refused by its per-phone caps`);
        continue;
      }
      try {
        return await this.deliverBy(channel, request);
      } catch (error) {
        if (!(error instanceof AllProvidersFailedError)) throw error;
        failures.push(`${channel}: ${error.message}`);
      }
    }
    this.logger.error(`sending to ${maskPhone(request.phone)} failed: ${failures.join(' | ')}`);
    const cause = new AllProvidersFailedError(failures);
    throw new DomainError('provider_unavailable', 'The code could not be sent. Try again shortly.', { retryAfterSeconds: 1 }, { cause });
  }

  /**
   * Where a code goes after `failed` reported it undelivered: the providers after that one in the
   * country's order for the channel, or, when it was the channel's last, the next channel the
   * country is offered. Empty when there is nowhere else.
   */
  redeliveryPlan(phone: string, failed: FailedDelivery): Channel[] {
    const country = countryOf(phone);
    if ((this.routers.router(failed.channel)?.order(country, failed.provider) ?? []).length > 0) return [failed.channel];
    const offered = this.routers.offered(country);
    const next = offered[offered.indexOf(failed.channel) + 1];
    return offered.includes(failed.channel) && next !== undefined ? [next] : [];
  }

  /** Delivers once more, through the plan of redeliveryPlan(): the same failover, from the next provider on. */
  async redeliver(request: Omit<CodeToDeliver, 'channels' | 'after'>, failed: FailedDelivery): Promise<Delivered> {
    const channels = this.redeliveryPlan(request.phone, failed);
    if (channels.length === 0) {
      throw new DomainError('provider_unavailable', 'No other provider can carry this code.', { retryAfterSeconds: 1 });
    }
    return this.deliver({ ...request, channels, after: channels[0] === failed.channel ? failed.provider : undefined });
  }

  private async deliverBy(channel: Channel, request: CodeToDeliver): Promise<Delivered> {
    const { code, locale, phone, confirming } = request;
    const ttlSeconds = this.otp.ttlSeconds;
    const router = this.routers.router(channel);
    if (router === undefined) throw new AllProvidersFailedError([`no ${channel} provider`]);
    const text = channelText(channel, { code, ttlSeconds, appName: this.config.appName, locale, originHost: this.config.originHost, confirming });
    const { provider, dispatch } = await router.send(
      {
        verificationId: request.verificationId,
        channel,
        to: phone,
        code,
        text,
        locale,
        ttlSeconds,
        // One key per send of a verification: a retry of this send never makes a second message.
        idempotencyKey: `${request.verificationId}.${request.sendNumber}`,
      },
      countryOf(phone),
      channel === request.channels[0] ? request.after : undefined,
    );
    if (channel !== request.channels[0]) this.logger.warn(`sent to ${maskPhone(phone)} by ${channel}: ${request.channels[0]} failed`);
    return { channel, provider: provider.name, providerRef: dispatch.providerRef ?? '', ownsCode: provider.ownsCodes };
  }

  /** Asks the provider that made the code; no failover, the verification is its own. */
  async check(
    channel: Channel,
    provider: string,
    request: { providerRef: string; phone: string; code: string },
  ): Promise<ProviderVerdict> {
    try {
      const router = this.routers.router(channel);
      if (router === undefined) throw new AllProvidersFailedError([`no ${channel} provider any more`]);
      return await router.check(provider, { channel, providerRef: request.providerRef, to: request.phone, code: request.code });
    } catch (error) {
      this.logger.error(`checking a code for ${maskPhone(request.phone)} failed: ${(error as Error).message}`);
      throw new DomainError('provider_unavailable', 'The code could not be checked. Try again shortly.', { retryAfterSeconds: 1 }, { cause: error });
    }
  }
}

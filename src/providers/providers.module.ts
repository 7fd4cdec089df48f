import { Logger, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Metrics } from '../metrics/metrics.service.js';
import { Clock } from '../common/time/clock.js';
import { providersConfig } from './providers.config.js';
import type { SmsProviderName } from './providers.config.js';
import { storeAdapter } from '../redis/store-adapter.js';
import { ConsoleSmsProvider } from './adapters/console.sms-provider.js';
import { OutboxSmsProvider } from './adapters/outbox.sms-provider.js';
import { SinchSmsProvider } from './adapters/sinch-sms.sms-provider.js';
import { SinchVerificationSmsProvider } from './adapters/sinch-verification.sms-provider.js';
import { StartMessagingSmsProvider } from './adapters/startmessaging.sms-provider.js';
import { WebhookSmsProvider } from './adapters/webhook.sms-provider.js';
import { WhatsAppCloudSmsProvider } from './adapters/whatsapp-cloud.sms-provider.js';
import { CodeDelivery } from './code-delivery.service.js';
import { DevOutboxController } from './dev-outbox.controller.js';
import { InMemoryOutboxRepository } from './in-memory-outbox.repository.js';
import { OutboxRepository } from './outbox.repository.js';
import { RedisOutboxRepository } from './redis-outbox.repository.js';
import { SmsProvider } from './sms-provider.js';
import { DEFAULT_ROUTER_POLICY, SmsRouter } from './sms-router.js';

type ProvidersConfig = ConfigType<typeof providersConfig>;

/** The one place where adapters are chosen, from validated configuration. */
function createProvider(name: SmsProviderName, config: ProvidersConfig, outbox: OutboxRepository, clock: Clock): SmsProvider {
  const timeoutMs = config.timeoutMs;
  switch (name) {
    case 'console':
      return new ConsoleSmsProvider();
    case 'outbox':
      return new OutboxSmsProvider(outbox, () => clock.nowMs());
    case 'sinch-verification':
      return new SinchVerificationSmsProvider({ ...config.sinchVerification, timeoutMs });
    case 'sinch-sms':
      return new SinchSmsProvider({ ...config.sinchSms, timeoutMs });
    case 'startmessaging':
      return new StartMessagingSmsProvider({ ...config.startMessaging, timeoutMs });
    case 'webhook':
      return new WebhookSmsProvider({ ...config.webhook, timeoutMs, nowMs: () => clock.nowMs() });
    case 'whatsapp-cloud':
      return new WhatsAppCloudSmsProvider({ ...config.whatsappCloud, timeoutMs });
  }
}

@Module({
  controllers: [DevOutboxController],
  providers: [
    storeAdapter(OutboxRepository, {
      redis: ({ client, scripts, keys }) => new RedisOutboxRepository(client, scripts, keys),
      memory: () => new InMemoryOutboxRepository(),
    }),
    {
      provide: SmsRouter,
      inject: [providersConfig.KEY, OutboxRepository, Clock, Metrics],
      useFactory: (config: ProvidersConfig, outbox: OutboxRepository, clock: Clock, metrics: Metrics) => {
        const providers = config.smsProviders.map((name) => createProvider(name, config, outbox, clock));
        const routes = [...config.routes].map(([country, order]) => `${country}: ${order.join(' > ')}`);
        new Logger('SmsRouter').log(
          `providers in failover order: ${config.smsProviders.join(' > ')}${routes.length ? `; routes: ${routes.join(', ')}` : ''}`,
        );
        return new SmsRouter(providers, {
          ...DEFAULT_ROUTER_POLICY,
          defaultOrder: config.smsProviders,
          routes: config.routes,
          timeoutMs: config.timeoutMs,
          observer: {
            call: (provider, operation, outcome, seconds) => metrics.providerDuration.observe({ provider, operation, outcome }, seconds),
            circuit: (provider, state) => metrics.circuitState.set({ provider }, state),
          },
        });
      },
    },
    CodeDelivery,
  ],
  exports: [CodeDelivery, SmsRouter],
})
export class ProvidersModule {}

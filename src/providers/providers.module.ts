import { Logger, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { CircuitState } from 'cockatiel';
import { EventLog } from '../events/event-log.js';
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
import { Channel, CHANNELS, SmsProvider } from './sms-provider.js';
import { ChannelRouters } from './channel-routers.js';
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
      return new SinchSmsProvider({ ...config.sinchSms, timeoutMs, deliveryReportUrl: config.receipts.sinchSms?.callbackUrl });
    case 'startmessaging':
      return new StartMessagingSmsProvider({ ...config.startMessaging, timeoutMs });
    case 'webhook':
      return new WebhookSmsProvider({ ...config.webhook, timeoutMs, nowMs: () => clock.nowMs() });
    case 'whatsapp-cloud':
      return new WhatsAppCloudSmsProvider({ ...config.whatsappCloud, timeoutMs });
  }
}

/** `provider.circuit_opened` (no state change carries it); a store that cannot take it costs the event, never the send. */
function circuitOpened(events: EventLog, provider: string, channel: Channel): void {
  events.append('provider.circuit_opened', events.draft({ provider, channel })).catch((error: Error) => {
    new Logger('ChannelRouters').error(`provider.circuit_opened of ${provider} (${channel}) not recorded: ${error.message}`);
  });
}

function channelRouter(channel: Channel, providers: SmsProvider[], config: ProvidersConfig, metrics: Metrics, events: EventLog): SmsRouter {
  const order = providers.map((provider) => provider.name);
  const routes = channel === 'sms' ? config.routes : new Map<string, string[]>();
  const routeText = [...routes].map(([country, names]) => `${country}: ${names.join(' > ')}`);
  new Logger('ChannelRouters').log(`${channel} providers in failover order: ${order.join(' > ')}${routeText.length ? `; routes: ${routeText.join(', ')}` : ''}`);
  return new SmsRouter(providers, {
    ...DEFAULT_ROUTER_POLICY,
    defaultOrder: order,
    routes,
    timeoutMs: config.timeoutMs,
    observer: {
      call: (provider, operation, outcome, seconds) => metrics.providerDuration.observe({ provider, channel, operation, outcome }, seconds),
      circuit: (provider, state) => {
        metrics.circuitState.set({ provider, channel }, state);
        if (state === CircuitState.Open) circuitOpened(events, provider, channel);
      },
    },
  });
}

@Module({
  controllers: [DevOutboxController],
  providers: [
    storeAdapter(OutboxRepository, {
      redis: ({ client, scripts, keys }) => new RedisOutboxRepository(client, scripts, keys),
      memory: () => new InMemoryOutboxRepository(),
    }),
    {
      provide: ChannelRouters,
      inject: [providersConfig.KEY, OutboxRepository, Clock, Metrics, EventLog],
      useFactory: (config: ProvidersConfig, outbox: OutboxRepository, clock: Clock, metrics: Metrics, events: EventLog) => {
        // One adapter per provider, shared by the channels that name it; each channel routes (and breaks circuits) on its own.
        const adapters = new Map<SmsProviderName, SmsProvider>();
        const adapter = (name: SmsProviderName) => adapters.get(name) ?? adapters.set(name, createProvider(name, config, outbox, clock)).get(name)!;
        const forChannel = (channel: Channel) => (name: SmsProviderName) => {
          const provider = adapter(name);
          // Configuration refuses such a list (PROVIDER_CHANNELS); an adapter must agree with that table.
          if (!provider.channels.includes(channel)) throw new Error(`${name} cannot deliver by ${channel}`);
          return provider;
        };
        const routers = new Map<Channel, SmsRouter>();
        for (const channel of CHANNELS) {
          const names = config.channelProviders[channel];
          if (names.length > 0) routers.set(channel, channelRouter(channel, names.map(forChannel(channel)), config, metrics, events));
        }
        return new ChannelRouters(routers, config.channelOrder);
      },
    },
    CodeDelivery,
  ],
  exports: [CodeDelivery, ChannelRouters],
})
export class ProvidersModule {}

import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one application instance (its own registry, so tests can boot many). */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly sends = new Counter({
    name: 'phone_auth_otp_sends_total',
    help: 'Send requests by channel, provider, country and outcome (sent, test_number, failed, or the refusal)',
    labelNames: ['channel', 'provider', 'country', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly verifications = new Counter({
    name: 'phone_auth_otp_verifications_total',
    help: 'Verify requests by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly providerDuration = new Histogram({
    name: 'phone_auth_provider_request_duration_seconds',
    help: 'Provider calls by provider, channel, operation (send, check) and outcome (ok, error)',
    labelNames: ['provider', 'channel', 'operation', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });

  readonly circuitState = new Gauge({
    name: 'phone_auth_provider_circuit_state',
    help: 'Circuit breaker of each provider on each channel: 0 closed, 1 open, 2 half-open',
    labelNames: ['provider', 'channel'] as const,
    registers: [this.registry],
  });

  readonly throttled = new Counter({
    name: 'phone_auth_throttled_total',
    help: 'Requests refused by a limit or the fraud guard, by rule',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });

  readonly fraudDecisions = new Counter({
    name: 'phone_auth_fraud_decisions_total',
    help: 'Decisions of each fraud rule (countries, number_types, country_budgets, prefix_breaker): allowed, refused, would_refuse (monitor mode), safe_listed',
    labelNames: ['rule', 'decision'] as const,
    registers: [this.registry],
  });

  /** Set by the fraud guard: what the conversion gauge shows at each scrape. */
  conversionSource?: () => { country: string; window: string; ratio: number }[];

  readonly conversion: Gauge<'country' | 'window'> = new Gauge({
    name: 'phone_auth_conversion_ratio',
    help: 'Verified codes over sent codes per country, over the last hour and day (window 1h, 1d), counted by this instance',
    labelNames: ['country', 'window'] as const,
    registers: [this.registry],
    collect: () => {
      this.conversion.reset();
      for (const { country, window, ratio } of this.conversionSource?.() ?? []) this.conversion.set({ country, window }, ratio);
    },
  });

  readonly captchaDecisions = new Counter({
    name: 'phone_auth_captcha_decisions_total',
    help: 'Bot checks of anonymous requests by provider and decision: passed, failed, missing, error, skipped_api_key; in audit mode would_refuse',
    labelNames: ['provider', 'decision'] as const,
    registers: [this.registry],
  });

  readonly sessions = new Counter({
    name: 'phone_auth_sessions_total',
    help: 'Session events: issued, refreshed, revoked, reuse_detected',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly adminActions = new Counter({
    name: 'phone_auth_admin_actions_total',
    help: 'Acts of operators with an admin-scoped API key, by action and API-key client (each is also an audit line)',
    labelNames: ['action', 'client'] as const,
    registers: [this.registry],
  });

  readonly eventDeliveries = new Counter({
    name: 'phone_auth_event_deliveries_total',
    help: 'Webhook delivery attempts by outcome: delivered, failed (retried later), dead_lettered (given up after EVENT_RETRY_HOURS)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly eventDeliveryLatency = new Histogram({
    name: 'phone_auth_event_delivery_latency_seconds',
    help: 'From an event to its delivery to a subscriber (retries included)',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 1800, 3600, 21600, 86400],
    registers: [this.registry],
  });

  readonly eventRetries = new Counter({
    name: 'phone_auth_event_retries_total',
    help: 'Webhook deliveries tried again after a failure',
    registers: [this.registry],
  });

  readonly eventDeadLetters = new Counter({
    name: 'phone_auth_event_dead_letters_total',
    help: 'Webhook deliveries given up after EVENT_RETRY_HOURS (kept as dead letters)',
    registers: [this.registry],
  });

  /** Set by the event dispatcher: events read and not settled, plus scheduled retries, per shard. */
  eventQueueDepthSource?: () => Promise<Record<string, number>>;

  readonly eventQueueDepth: Gauge<'shard'> = new Gauge({
    name: 'phone_auth_event_queue_depth',
    help: 'Webhook deliveries waiting per event shard: events read and not yet settled, plus scheduled retries',
    labelNames: ['shard'] as const,
    registers: [this.registry],
    collect: async () => {
      this.eventQueueDepth.reset();
      // A store that does not answer leaves the gauge empty rather than failing the scrape.
      const depths: Record<string, number> = (await this.eventQueueDepthSource?.().catch(() => ({}))) ?? {};
      for (const [shard, depth] of Object.entries(depths)) this.eventQueueDepth.set({ shard }, depth);
    },
  });

  readonly httpDuration = new Histogram({
    name: 'phone_auth_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'phone_auth_' });
  }
}

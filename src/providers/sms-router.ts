import { Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  IPolicy,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { OtpDispatch, OtpMessage, ProviderCheck, ProviderError, ProviderVerdict, SmsProvider } from './sms-provider.js';

export interface SmsRouterOptions {
  /** Failover order for countries without a route of their own. */
  defaultOrder: string[];
  /** ISO 3166-1 alpha-2 country to its failover order. */
  routes: Map<string, string[]>;
  /** Per attempt; the caller's wait is at most about (retries + 1) times this per provider. */
  timeoutMs: number;
  /** Retries of a transient failure, with jittered exponential backoff from backoffMs. */
  retries: number;
  backoffMs: number;
  /** Consecutive failures that open a provider's circuit, and how long it stays open. */
  breakerThreshold: number;
  halfOpenAfterMs: number;
  /** Told of every provider attempt and circuit change (metrics). */
  observer?: RouterObserver;
}

export interface RouterObserver {
  call(provider: string, operation: 'send' | 'check', outcome: 'ok' | 'error', seconds: number): void;
  circuit(provider: string, state: number): void;
}

export const DEFAULT_ROUTER_POLICY = { retries: 1, backoffMs: 200, breakerThreshold: 5, halfOpenAfterMs: 30_000 };

export class AllProvidersFailedError extends Error {
  constructor(readonly failures: string[]) {
    super(`every provider failed: ${failures.join('; ')}`);
    this.name = 'AllProvidersFailedError';
  }
}

export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';

const CIRCUIT_STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

const isTransient = (error: Error) => !(error instanceof ProviderError) || error.transient;

/**
 * Sends through the providers in failover order (per country when routed). Each provider has
 * its own policy: a timeout per attempt, a retry of transient failures with jittered backoff,
 * and a circuit breaker, so a dead provider is skipped at once until it may have recovered.
 */
export class SmsRouter {
  private readonly logger = new Logger(SmsRouter.name);
  private readonly byName: Map<string, SmsProvider>;
  private readonly policies = new Map<string, IPolicy>();
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    providers: SmsProvider[],
    private readonly options: SmsRouterOptions,
  ) {
    this.byName = new Map(providers.map((provider) => [provider.name, provider]));
    for (const provider of providers) {
      const breaker = circuitBreaker(handleWhen(isTransient), {
        halfOpenAfter: options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.breakerThreshold),
      });
      breaker.onStateChange((state) => {
        this.logger.warn(`circuit of ${provider.name} is now ${CIRCUIT_STATE_NAMES[state]}`);
        options.observer?.circuit(provider.name, state);
      });
      options.observer?.circuit(provider.name, breaker.state);
      this.breakers.set(provider.name, breaker);
      this.policies.set(
        provider.name,
        wrap(
          retry(handleWhen((error) => isTransient(error) && !(error instanceof BrokenCircuitError)), {
            maxAttempts: options.retries,
            backoff: new ExponentialBackoff({ initialDelay: options.backoffMs, maxDelay: options.backoffMs * 8 }),
          }),
          breaker,
          // abortOnReturn: false: aborting a finished call's signal builds an AbortError (a DOMException with a stack) per call.
          timeout(options.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }),
        ),
      );
    }
  }

  /** Whether some configured provider checks codes itself (its codes may differ in length). */
  get anyOwnsCodes(): boolean {
    return [...this.byName.values()].some((provider) => provider.ownsCodes);
  }

  /** Whether some provider's circuit lets calls through (closed or half-open). */
  get anyUp(): boolean {
    return [...this.breakers.values()].some((breaker) => breaker.state !== CircuitState.Open && breaker.state !== CircuitState.Isolated);
  }

  /** Each provider's circuit, by provider name, in configuration order. */
  circuitStates(): Record<string, CircuitStateName> {
    return Object.fromEntries([...this.breakers].map(([name, breaker]) => [name, CIRCUIT_STATE_NAMES[breaker.state]]));
  }

  provider(name: string): SmsProvider | undefined {
    return this.byName.get(name);
  }

  /** The country's failover order; with `after`, only the providers that come after that one (none when it is last). */
  order(country: string | undefined, after?: string): string[] {
    const order = (country && this.options.routes.get(country)) || this.options.defaultOrder;
    if (after === undefined) return order;
    const index = order.indexOf(after);
    return index < 0 ? order : order.slice(index + 1);
  }

  /**
   * Delivers through the first provider of the country's order that succeeds; with `after` (a
   * provider that accepted the message but failed to deliver it), only through those after it.
   */
  async send(message: OtpMessage, country: string | undefined, after?: string): Promise<{ provider: SmsProvider; dispatch: OtpDispatch }> {
    const order = this.order(country, after);
    const failures: string[] = [];
    for (const name of order) {
      const provider = this.byName.get(name);
      if (provider === undefined) continue;
      try {
        const dispatch = await this.run(provider, 'send', (signal) => provider.send(message, signal));
        if (failures.length > 0) this.logger.warn(`delivered by ${name} after: ${failures.join('; ')}`);
        return { provider, dispatch };
      } catch (error) {
        failures.push(describe(name, error));
      }
    }
    throw new AllProvidersFailedError(failures);
  }

  /** Asks the provider that started a verification; no failover, the verification is its own. */
  async check(providerName: string, request: ProviderCheck): Promise<ProviderVerdict> {
    const provider = this.byName.get(providerName);
    if (provider === undefined) throw new AllProvidersFailedError([`${providerName}: not configured any more`]);
    try {
      return await this.run(provider, 'check', (signal) => provider.check(request, signal));
    } catch (error) {
      throw new AllProvidersFailedError([describe(providerName, error)]);
    }
  }

  private run<T>(provider: SmsProvider, operation: 'send' | 'check', call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const policy = this.policies.get(provider.name);
    if (policy === undefined) throw new Error(`no policy for ${provider.name}`);
    // A signal of the call's own: without one, cockatiel links every call's timeout to one shared
    // never-aborted signal, which then holds a listener per call in flight (MaxListenersExceeded at 11).
    return policy.execute(async ({ signal }) => {
      const startedAt = performance.now();
      try {
        const result = await call(signal);
        this.options.observer?.call(provider.name, operation, 'ok', (performance.now() - startedAt) / 1000);
        return result;
      } catch (error) {
        this.options.observer?.call(provider.name, operation, 'error', (performance.now() - startedAt) / 1000);
        throw error;
      }
    }, new AbortController().signal);
  }
}

function describe(name: string, error: unknown): string {
  if (error instanceof BrokenCircuitError) return `${name}: circuit open`;
  if (error instanceof TaskCancelledError) return `${name}: timed out`;
  if (error instanceof ProviderError) return error.message;
  return `${name}: ${error instanceof Error ? error.message : String(error)}`;
}

import type { Channel } from '../common/channel.js';
import { ANY_COUNTRY, ChannelChoice } from './providers.config.js';
import { CircuitStateName, SmsRouter } from './sms-router.js';

/**
 * One router per channel that has providers (each with its own failover order, timeouts,
 * retries and circuit breakers), and the channels each country is offered, in the order
 * `auto` tries them.
 */
export class ChannelRouters {
  constructor(
    private readonly routers: ReadonlyMap<Channel, SmsRouter>,
    private readonly order: ReadonlyMap<string, readonly Channel[]>,
  ) {}

  router(channel: Channel): SmsRouter | undefined {
    return this.routers.get(channel);
  }

  /** The channels a person in `country` may pick, in the country's order. */
  offered(country: string | undefined): Channel[] {
    const order = (country && this.order.get(country)) || this.order.get(ANY_COUNTRY) || [];
    return order.filter((channel) => this.routers.has(channel));
  }

  /**
   * The channels to try, in order, for what the send asked: the one channel it named, or for
   * `auto` every offered channel with those whose providers are all out (open circuits) last.
   * Undefined when the named channel is not offered in the country.
   */
  plan(country: string | undefined, choice: ChannelChoice): Channel[] | undefined {
    const offered = this.offered(country);
    if (choice !== 'auto') return offered.includes(choice) ? [choice] : undefined;
    const up = offered.filter((channel) => this.routers.get(channel)?.anyUp);
    return [...up, ...offered.filter((channel) => !up.includes(channel))];
  }

  /** Whether some configured provider of any channel checks codes itself. */
  get anyOwnsCodes(): boolean {
    return [...this.routers.values()].some((router) => router.anyOwnsCodes);
  }

  /** Every provider's circuit: SMS providers by name, the other channels' as `channel:name`. */
  circuitStates(): Record<string, CircuitStateName> {
    const states: Record<string, CircuitStateName> = {};
    for (const [channel, router] of this.routers) {
      for (const [name, state] of Object.entries(router.circuitStates())) states[channel === 'sms' ? name : `${channel}:${name}`] = state;
    }
    return states;
  }
}

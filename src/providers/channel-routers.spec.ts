import type { Channel } from '../common/channel.js';
import { ChannelRouters } from './channel-routers.js';
import { CHANNELS, OtpDispatch, OtpMessage, ProviderError, SmsProvider } from './sms-provider.js';
import { SmsRouter } from './sms-router.js';

class SwitchableProvider extends SmsProvider {
  readonly ownsCodes = false;
  readonly channels = CHANNELS;
  down = false;
  constructor(readonly name: string) {
    super();
  }
  async send(): Promise<OtpDispatch> {
    if (this.down) throw new ProviderError(this.name, 'HTTP 503', { transient: true, status: 503 });
    return { providerRef: this.name };
  }
}

const message: OtpMessage = { verificationId: 'v', channel: 'whatsapp', to: '+919876543210', code: '123456', text: 't', ttlSeconds: 300, idempotencyKey: 'v.1' };

describe(ChannelRouters.name, () => {
  const routerOf = (provider: SmsProvider) =>
    new SmsRouter([provider], { defaultOrder: [provider.name], routes: new Map(), timeoutMs: 100, retries: 0, backoffMs: 1, breakerThreshold: 1, halfOpenAfterMs: 60_000 });
  let whatsapp: SwitchableProvider;
  let routers: ChannelRouters;

  beforeEach(() => {
    whatsapp = new SwitchableProvider('wa');
    const byChannel = new Map<Channel, SmsRouter>([
      ['sms', routerOf(new SwitchableProvider('sms'))],
      ['whatsapp', routerOf(whatsapp)],
    ]);
    // Voice is in India's order but has no providers: never offered.
    routers = new ChannelRouters(byChannel, new Map<string, Channel[]>([['IN', ['whatsapp', 'voice', 'sms']], ['*', ['sms']]]));
  });

  it('offers a country its own order, others the default, and never a channel without providers', () => {
    expect(routers.offered('IN')).toEqual(['whatsapp', 'sms']);
    expect(routers.offered('US')).toEqual(['sms']);
    expect(routers.offered(undefined)).toEqual(['sms']);
  });

  it('plans the one channel asked for when it is offered, and nothing when it is not', () => {
    expect(routers.plan('IN', 'sms')).toEqual(['sms']);
    expect(routers.plan('US', 'whatsapp')).toBeUndefined();
    expect(routers.plan('IN', 'voice')).toBeUndefined();
  });

  it('plans auto in the country\'s order, and moves a channel whose providers are all out to the end', async () => {
    expect(routers.plan('IN', 'auto')).toEqual(['whatsapp', 'sms']);
    whatsapp.down = true;
    await expect(routers.router('whatsapp')!.send(message, 'IN')).rejects.toThrow('every provider failed');
    expect(routers.circuitStates()).toEqual({ sms: 'closed', 'whatsapp:wa': 'open' });
    expect(routers.plan('IN', 'auto')).toEqual(['sms', 'whatsapp']);
  });
});

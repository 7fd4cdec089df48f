import type { Channel } from '../common/channel.js';
import { DomainError } from '../common/errors/domain.error.js';
import { ChannelRouters } from './channel-routers.js';
import { CodeDelivery } from './code-delivery.service.js';
import { CHANNELS, OtpDispatch, OtpMessage, SmsProvider } from './sms-provider.js';
import { SmsRouter } from './sms-router.js';

class RecordingProvider extends SmsProvider {
  readonly ownsCodes = false;
  readonly channels = CHANNELS;
  readonly sent: OtpMessage[] = [];
  constructor(readonly name: string) {
    super();
  }
  async send(message: OtpMessage): Promise<OtpDispatch> {
    this.sent.push(message);
    return { providerRef: `${this.name}-${this.sent.length}` };
  }
}

const PHONE = '+919876543210';
const policy = { routes: new Map<string, string[]>(), timeoutMs: 100, retries: 0, backoffMs: 1, breakerThreshold: 5, halfOpenAfterMs: 60_000 };

describe(`${CodeDelivery.name} redelivery`, () => {
  let a: RecordingProvider;
  let b: RecordingProvider;
  let w: RecordingProvider;
  let delivery: CodeDelivery;

  beforeEach(() => {
    [a, b, w] = [new RecordingProvider('a'), new RecordingProvider('b'), new RecordingProvider('w')];
    const routers = new Map<Channel, SmsRouter>([
      ['sms', new SmsRouter([a, b], { ...policy, defaultOrder: ['a', 'b'] })],
      ['whatsapp', new SmsRouter([w], { ...policy, defaultOrder: ['w'] })],
    ]);
    const config = { appName: 'Acme', originHost: undefined, testNumbers: new Map() };
    delivery = new CodeDelivery(new ChannelRouters(routers, new Map([['*', ['whatsapp', 'sms'] as Channel[]]])), config as never, { ttlSeconds: 300 } as never);
  });

  it('plans the next provider of the channel, else the next channel offered, else nothing', () => {
    expect(delivery.redeliveryPlan(PHONE, { channel: 'sms', provider: 'a' })).toEqual(['sms']);
    expect(delivery.redeliveryPlan(PHONE, { channel: 'whatsapp', provider: 'w' })).toEqual(['sms']);
    expect(delivery.redeliveryPlan(PHONE, { channel: 'sms', provider: 'b' })).toEqual([]);
  });

  it('sends through the provider after the one that failed, never through it again', async () => {
    const request = { verificationId: 'v', sendNumber: 2, phone: PHONE, code: '123456' };
    expect(await delivery.redeliver(request, { channel: 'sms', provider: 'a' })).toEqual({ channel: 'sms', provider: 'b', providerRef: 'b-1', ownsCode: false });
    expect(await delivery.redeliver(request, { channel: 'whatsapp', provider: 'w' })).toMatchObject({ channel: 'sms', provider: 'a' });
    expect([w.sent.length, b.sent[0]?.idempotencyKey]).toEqual([0, 'v.2']);
    await expect(delivery.redeliver(request, { channel: 'sms', provider: 'b' })).rejects.toBeInstanceOf(DomainError);
  });
});

import { decodeJwt } from 'jose';
import { FakeClock } from '../support/fake-clock.js';
import { FakeProviders, startFakeProviders } from '../support/fake-providers.js';
import { describeOnEveryStore, json, phoneSequence, postJson, refreshSession, startTestApp, TestApp, verifyCode } from '../support/e2e-kit.js';

const EVERY_CHANNEL = {
  SMS_PROVIDERS: 'outbox',
  WHATSAPP_PROVIDERS: 'outbox',
  VOICE_PROVIDERS: 'outbox',
  CHANNEL_ORDER: 'IN:whatsapp+sms+voice,BR:whatsapp+sms,*:sms',
};

interface OutboxEntry {
  channel: string;
  text: string;
  verificationId: string;
}

describeOnEveryStore('channels on the $name', (store) => {
  let t: TestApp;
  let clock: FakeClock;
  const nextPhone = phoneSequence('987657', 5000);

  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    t = await startTestApp({ ...store.settings(), ...EVERY_CHANNEL }, { clock });
  });
  afterEach(async () => t.close());

  const send = (body: object) => postJson(t, '/v1/otp/send', body);
  const outbox = async (phone: string): Promise<OutboxEntry[]> =>
    json((await t.inject({ method: 'GET', url: `/v1/dev/outbox?phone=${encodeURIComponent(phone)}` }))).messages;

  it('tells a frontend which channels a country is offered, in order', async () => {
    const answers = await Promise.all(['?country=IN', '?country=br', '?country=US', ''].map((query) => t.inject({ method: 'GET', url: `/v1/otp/channels${query}` })));
    expect(answers.map((answer) => json(answer))).toEqual([
      { country: 'IN', channels: ['whatsapp', 'sms', 'voice'] },
      { country: 'BR', channels: ['whatsapp', 'sms'] },
      { country: 'US', channels: ['sms'] },
      { country: null, channels: ['sms'] },
    ]);
    const bad = await t.inject({ method: 'GET', url: '/v1/otp/channels?country=India' });
    expect([bad.statusCode, bad.headers['content-type'], json(bad).code]).toEqual([400, 'application/problem+json; charset=utf-8', 'validation_failed']);
  });

  it.each(['sms', 'whatsapp', 'voice'] as const)('logs a person in by %s', async (channel) => {
    const phone = nextPhone();
    const sent = await send({ phone, channel });
    expect(sent.statusCode).toBe(202);
    expect(json(sent)).toMatchObject({ channel, channels: ['whatsapp', 'sms', 'voice'] });
    const [message] = await outbox(phone);
    expect(message).toMatchObject({ channel, verificationId: json(sent).verificationId });
    const spoken = t.codes.last.split('').join(', ');
    expect(message.text).toContain(channel === 'voice' ? `code is ${spoken}. Again: ${spoken}.` : `${t.codes.last} is your`);
    const verified = await verifyCode(t, { verificationId: json(sent).verificationId, code: t.codes.last });
    expect(verified.statusCode).toBe(200);
    // RFC 8176: a text, a telephone call, a one-time password by other means; kept by every refresh.
    const amr = { sms: ['sms'], voice: ['tel'], whatsapp: ['otp'] }[channel];
    expect(decodeJwt(json(verified).accessToken).amr).toEqual(amr);
    const refreshed = await refreshSession(t, json(verified).refreshToken);
    expect(decodeJwt(json(refreshed).accessToken).amr).toEqual(amr);
    const status = await t.inject({ method: 'GET', url: `/v1/otp/verifications/${json(sent).verificationId}` });
    expect(json(status)).toMatchObject({ status: 'approved', channel });
  });

  it('switches channel on a resend: the same verification, a new code, the old one refused', async () => {
    const phone = nextPhone();
    const first = json(await send({ phone, channel: 'auto' }));
    expect(first.channel).toBe('whatsapp');
    const firstCode = t.codes.last;
    clock.advance(30_000);
    const resent = await send({ phone, channel: 'voice' });
    expect(resent.statusCode).toBe(202);
    expect(json(resent)).toMatchObject({ verificationId: first.verificationId, channel: 'voice' });
    expect((await outbox(phone)).map((message) => message.channel)).toEqual(['voice', 'whatsapp']);
    const old = await verifyCode(t, { verificationId: first.verificationId, code: firstCode });
    expect([old.statusCode, json(old).code]).toEqual([400, 'invalid_code']);
    expect((await verifyCode(t, { verificationId: first.verificationId, code: t.codes.last })).statusCode).toBe(200);
  });

  it('waits the longer voice cooldown after a call', async () => {
    const phone = nextPhone();
    const called = json(await send({ phone, channel: 'voice' }));
    expect(called.resendAvailableAt).toBe(new Date(clock.nowMs() + 60_000).toISOString());
    clock.advance(30_000);
    const early = await send({ phone, channel: 'sms' });
    expect([early.statusCode, json(early).code, early.headers['retry-after']]).toEqual([429, 'resend_too_soon', '30']);
    clock.advance(30_000);
    expect((await send({ phone, channel: 'sms' })).statusCode).toBe(202);
  });

  it('refuses a channel the country is not offered with a problem that names the ones it is, and stores nothing', async () => {
    const phone = '+14155550123';
    const refused = await send({ phone, channel: 'whatsapp' });
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(json(refused)).toMatchObject({ code: 'channel_unavailable', channels: ['sms'], status: 422 });
    expect(await outbox(phone)).toEqual([]);
    expect((await send({ phone })).statusCode).toBe(202);
  });

  it('refuses an unknown channel as a validation error', async () => {
    const refused = await send({ phone: nextPhone(), channel: 'telegram' });
    expect([refused.statusCode, json(refused).code, json(refused).errors[0].field]).toEqual([400, 'validation_failed', 'channel']);
  });
});

describe('channels through real providers (fake servers on 127.0.0.1)', () => {
  let fake: FakeProviders;
  let t: TestApp | undefined;
  const nextPhone = phoneSequence('987658');

  beforeAll(async () => {
    fake = await startFakeProviders({ webhookSecret: 'test-webhook-secret-of-32-characters!!' });
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    for (const route of [fake.whatsAppCloud.route, fake.sinchVerification.start, fake.sinchVerification.report, fake.sinchSms.send]) route.reset();
  });
  afterAll(async () => fake.close());

  const boot = async () => {
    t = await startTestApp({
      ...fake.serviceEnv(),
      SMS_PROVIDER_TIMEOUT_MS: '500',
      SMS_PROVIDERS: 'sinch-sms',
      WHATSAPP_PROVIDERS: 'whatsapp-cloud',
      VOICE_PROVIDERS: 'sinch-verification',
      CHANNEL_ORDER: 'IN:whatsapp+sms+voice',
    });
    return t;
  };
  const send = (app: TestApp, body: object) => postJson(app, '/v1/otp/send', body);

  it('whatsapp-cloud: our code in the authentication template logs in', async () => {
    const app = await boot();
    const phone = nextPhone();
    const sent = await send(app, { phone, channel: 'whatsapp', locale: 'pt-BR' });
    expect([sent.statusCode, json(sent).channel]).toEqual([202, 'whatsapp']);
    const request = fake.whatsAppCloud.route.lastRequest!;
    expect(request.body).toMatchObject({ to: phone, type: 'template', template: { language: { code: 'pt_BR' } } });
    expect(fake.whatsAppCloud.lastCode).toBe(app.codes.last);
    expect((await verifyCode(app, { verificationId: json(sent).verificationId, code: fake.whatsAppCloud.lastCode })).statusCode).toBe(200);
  });

  it('sinch-verification voice: Sinch calls and speaks its own code, reported by the callout method', async () => {
    const app = await boot();
    const sent = await send(app, { phone: nextPhone(), channel: 'voice' });
    expect([sent.statusCode, json(sent).channel]).toEqual([202, 'voice']);
    expect(fake.sinchVerification.start.lastRequest!.body).toMatchObject({ method: 'callout' });
    const verified = await verifyCode(app, { verificationId: json(sent).verificationId, code: fake.sinchVerification.lastCode });
    expect(verified.statusCode).toBe(200);
    expect(fake.sinchVerification.report.lastRequest!.body).toMatchObject({ method: 'callout', callout: { code: fake.sinchVerification.lastCode } });
  });

  it('auto falls through from WhatsApp ("not on WhatsApp") to SMS, whose code logs in', async () => {
    const app = await boot();
    fake.whatsAppCloud.route.enqueue(fake.whatsAppCloud.error(400, 131026, 'Message Undeliverable.'));
    const sent = await send(app, { phone: nextPhone(), channel: 'auto' });
    expect([sent.statusCode, json(sent).channel]).toEqual([202, 'sms']);
    expect(fake.sinchSms.lastCode).toBe(app.codes.last);
    expect((await verifyCode(app, { verificationId: json(sent).verificationId, code: fake.sinchSms.lastCode })).statusCode).toBe(200);
  });

  it('answers provider_unavailable when every channel of auto fails, leaving no pending code', async () => {
    const app = await boot();
    fake.whatsAppCloud.route.always(fake.whatsAppCloud.error(400, 131026, 'Message Undeliverable.'));
    fake.sinchSms.send.always({ kind: 'hang' });
    fake.sinchVerification.start.always({ kind: 'hang' });
    const phone = nextPhone();
    const sent = await send(app, { phone, channel: 'auto' });
    expect([sent.statusCode, json(sent).code]).toEqual([503, 'provider_unavailable']);
    expect(json(await verifyCode(app, { phone, code: '123456' })).code).toBe('verification_not_found');
  });
});

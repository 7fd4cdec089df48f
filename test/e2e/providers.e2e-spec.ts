import { FakeProviders, reply, startFakeProviders } from '../support/fake-providers.js';
import { json, phoneSequence, postJson, startTestApp, TestApp, verifyCode } from '../support/e2e-kit.js';

const PHONE = '+919876543210';

describe('delivery through real providers (fake servers on 127.0.0.1)', () => {
  let fake: FakeProviders;
  let t: TestApp | undefined;
  const nextPhone = phoneSequence('987656');

  const providerEnv = () => ({ ...fake.serviceEnv(), SMS_PROVIDER_TIMEOUT_MS: '500' });
  const boot = async (env: Record<string, string>) => {
    t = await startTestApp({ ...providerEnv(), ...env });
    return t;
  };
  const send = (app: TestApp, phone: string, headers: Record<string, string> = {}, body: object = {}) =>
    postJson(app, '/v1/otp/send', { phone, ...body }, headers);
  const verify = (app: TestApp, verificationId: string, code: string) => verifyCode(app, { verificationId, code });

  beforeAll(async () => {
    fake = await startFakeProviders({ webhookSecret: 'test-webhook-secret-of-32-characters!!' });
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    for (const route of [fake.sinchVerification.start, fake.sinchVerification.report, fake.sinchSms.send, fake.startMessaging.send, fake.startMessaging.verify, fake.webhook.route]) {
      route.reset();
    }
  });
  afterAll(async () => fake.close());

  it('sinch-verification: one Application-signed start for the E.164 number; Sinch decides the code', async () => {
    const app = await boot({ SMS_PROVIDERS: 'sinch-verification' });
    const before = fake.sinchVerification.start.requests.length;
    const sent = await send(app, '98765 43210', {}, { country: 'IN' });
    expect(sent.statusCode).toBe(202);
    expect(fake.sinchVerification.start.requests).toHaveLength(before + 1);
    const start = fake.sinchVerification.start.lastRequest!;
    expect(start.headers.authorization).toMatch(/^Application test-app-key:/);
    expect(start.body).toMatchObject({ identity: { type: 'number', endpoint: PHONE }, method: 'sms' });

    const { verificationId } = json(sent);
    const sinchCode = fake.sinchVerification.lastCode!;
    const wrong = await verify(app, verificationId, sinchCode === '000000' ? '111111' : '000000');
    expect([wrong.statusCode, json(wrong).code, json(wrong).attemptsRemaining]).toEqual([400, 'invalid_code', 4]);
    const right = await verify(app, verificationId, sinchCode);
    expect(right.statusCode).toBe(200);
    expect(json(right).user.phone).toBe(PHONE);
    expect(app.codes.issued).not.toContain(sinchCode);
  });

  it('sinch-sms: our own code inside the batch text logs in', async () => {
    const app = await boot({ SMS_PROVIDERS: 'sinch-sms', APP_NAME: 'Acme', PUBLIC_URL: 'https://auth.example.com' });
    const phone = nextPhone();
    const { verificationId } = json(await send(app, phone, {}, { locale: 'hi-IN' }));
    const batch = fake.sinchSms.send.lastRequest!;
    expect(batch.url).toBe('/xms/v1/test-project/batches');
    expect(batch.headers.authorization).toMatch(/^Bearer /);
    const body = batch.body as { to: string[]; body: string };
    expect(body.to).toEqual([phone]);
    expect(body.body).toContain(`${app.codes.last} आपका Acme कोड है`);
    expect(body.body.split('\n').at(-1)).toBe(`@auth.example.com #${app.codes.last}`);
    expect((await verify(app, verificationId, fake.sinchSms.lastCode!)).statusCode).toBe(200);
  });

  it('startmessaging: its requestId is kept and its verify decides', async () => {
    const app = await boot({ SMS_PROVIDERS: 'startmessaging' });
    const { verificationId } = json(await send(app, nextPhone()));
    const request = fake.startMessaging.send.lastRequest!;
    expect(request.headers['x-api-key']).toBe('sm_test_key');
    expect(request.body).toMatchObject({ idempotencyKey: `${verificationId}.1` });
    const wrong = await verify(app, verificationId, fake.startMessaging.lastCode === '000000' ? '111111' : '000000');
    expect(json(wrong).code).toBe('invalid_code');
    expect((await verify(app, verificationId, fake.startMessaging.lastCode!)).statusCode).toBe(200);
    expect(fake.startMessaging.verify.lastRequest!.body).toMatchObject({ otpCode: fake.startMessaging.lastCode });
  });

  it('webhook: posts the signed message to any gateway', async () => {
    const app = await boot({ SMS_PROVIDERS: 'webhook' });
    const { verificationId } = json(await send(app, nextPhone()));
    const delivered = fake.webhook.route.lastRequest!;
    expect(delivered.headers['x-phone-auth-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect((await verify(app, verificationId, fake.webhook.lastCode!)).statusCode).toBe(200);
  });

  it('fails over from Sinch answering 503 to StartMessaging, whose code logs in', async () => {
    const app = await boot({ SMS_PROVIDERS: 'sinch-verification,startmessaging' });
    fake.sinchVerification.start.always(reply.json(503, { errorCode: 50300, message: 'unavailable' }));
    const sent = await send(app, nextPhone());
    expect(sent.statusCode).toBe(202);
    const { verificationId } = json(sent);
    expect((await app.inject({ method: 'GET', url: `/v1/otp/verifications/${verificationId}` })).statusCode).toBe(200);
    expect((await verify(app, verificationId, fake.startMessaging.lastCode!)).statusCode).toBe(200);
  });

  it('answers 503 provider_unavailable when every provider is down, leaving no pending verification', async () => {
    const app = await boot({ SMS_PROVIDERS: 'sinch-verification,startmessaging' });
    fake.sinchVerification.start.always(reply.html502());
    fake.startMessaging.send.always(reply.hang());
    const phone = nextPhone();
    const startedAt = Date.now();
    const sent = await send(app, phone);
    expect([sent.statusCode, json(sent).code]).toEqual([503, 'provider_unavailable']);
    expect(Date.now() - startedAt).toBeLessThan(5000);
    const verified = await verifyCode(app, { phone, code: '123456' });
    expect(json(verified).code).toBe('verification_not_found');
    fake.sinchVerification.start.reset();
    expect((await send(app, phone)).statusCode).toBe(202);
  });

  it('sends one SMS for a repeated Idempotency-Key, also when the requests race, and refuses another body', async () => {
    const app = await boot({ SMS_PROVIDERS: 'sinch-sms' });
    const before = fake.sinchSms.send.requests.length;
    const phone = nextPhone();
    const headers = { 'idempotency-key': 'order-42' };
    const answers = await Promise.all([send(app, phone, headers), send(app, phone, headers), send(app, phone, headers)]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202, 202]);
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    expect(answers.filter((answer) => answer.headers['idempotent-replayed'] === 'true')).toHaveLength(2);
    const later = await send(app, phone, headers);
    expect(later.body).toBe(answers[0].body);
    expect(fake.sinchSms.send.requests.length - before).toBe(1);

    const other = await send(app, nextPhone(), headers);
    expect([other.statusCode, json(other).code]).toEqual([422, 'idempotency_conflict']);
  });

  it('logs a test number in with its fixed code, calling no provider', async () => {
    const app = await boot({ SMS_PROVIDERS: 'sinch-verification', TEST_PHONE_NUMBERS: '+15005550006:424242' });
    const before = fake.requests.length;
    const { verificationId } = json(await send(app, '+15005550006'));
    expect((await verify(app, verificationId, '424242')).statusCode).toBe(200);
    expect(fake.requests.length).toBe(before);
    expect(app.logs.lines.join('\n')).toContain('[test number]');
  });
});

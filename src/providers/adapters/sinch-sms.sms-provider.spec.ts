import { FakeProviders, providerFailure, refusedBaseUrl, reply, startFakeProviders } from '../../../test/support/fake-providers.js';
import { OtpMessage } from '../sms-provider.js';
import { expectNoSecrets, otpMessage, TEST_CODE, TEST_PHONE } from '../../../test/support/otp-message.js';
import { SinchSmsProvider, SinchSmsProviderOptions } from './sinch-sms.sms-provider.js';

const PHONE = TEST_PHONE;
const OUR_CODE = TEST_CODE;

const message = (overrides: Partial<OtpMessage> = {}): OtpMessage => otpMessage({ text: `Your PhoneAuth code is ${OUR_CODE}`, ...overrides });


describe(SinchSmsProvider.name, () => {
  let fake: FakeProviders;

  beforeAll(async () => {
    fake = await startFakeProviders();
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.sinchSms.token.reset();
    fake.sinchSms.send.reset();
  });

  // A new provider per test: the SDK caches the OAuth2 token per instance.
  const provider = (overrides: Partial<SinchSmsProviderOptions> = {}) =>
    new SinchSmsProvider({
      projectId: fake.sinchSms.projectId,
      keyId: fake.sinchSms.keyId,
      keySecret: fake.sinchSms.keySecret,
      baseUrl: fake.baseUrl,
      authBaseUrl: fake.baseUrl,
      from: 'PhoneAuth',
      timeoutMs: 2_000,
      ...overrides,
    });

  it('asks for per-recipient delivery reports at the receipts URL only when one is configured', async () => {
    const url = 'https://auth.example.com/v1/providers/sinch-sms/receipts?token=t';
    const dispatch = await provider({ deliveryReportUrl: url }).send(message());
    expect(fake.sinchSms.batches.at(-1)).toMatchObject({ delivery_report: 'per_recipient', callback_url: url });
    expect(dispatch.providerRef).toBe(fake.sinchSms.lastBatchId);
    await provider().send(message());
    expect(fake.sinchSms.batches.at(-1)).not.toHaveProperty('delivery_report');
    expect(fake.sinchSms.batches.at(-1)).not.toHaveProperty('callback_url');
  });

  it('should fetch an OAuth2 token with Basic auth, then post the batch with that Bearer token', async () => {
    const tokenCalls = fake.sinchSms.token.requests.length;
    const sut = provider();

    const dispatch = await sut.send(message());

    expect(fake.sinchSms.token.requests).toHaveLength(tokenCalls + 1);
    const tokenRequest = fake.sinchSms.token.lastRequest!;
    expect(tokenRequest.method).toBe('POST');
    expect(tokenRequest.url).toBe('/oauth2/token');
    expect(tokenRequest.headers.authorization).toBe(`Basic ${Buffer.from('test-key-id:test-key-secret').toString('base64')}`);
    expect(tokenRequest.body).toEqual({ grant_type: 'client_credentials' });

    const batchRequest = fake.sinchSms.send.lastRequest!;
    expect(batchRequest.method).toBe('POST');
    expect(batchRequest.url).toBe('/xms/v1/test-project/batches');
    expect(batchRequest.headers.authorization).toBe(`Bearer ${fake.sinchSms.issuedTokens.at(-1)}`);
    expect(batchRequest.body).toEqual({ to: [PHONE], from: 'PhoneAuth', body: `Your PhoneAuth code is ${OUR_CODE}`, client_reference: 'ver-123' });
    expect(fake.sinchSms.lastCode).toBe(OUR_CODE);
    expect(dispatch.providerRef).toMatch(/^01[0-9A-F]{24}$/);
    expect(sut.name).toBe('sinch-sms');
    expect(sut.ownsCodes).toBe(false);
  });

  it('should reuse its token for the next send and leave out from when none is configured', async () => {
    const sut = provider({ from: undefined });
    await sut.send(message());
    const tokenCalls = fake.sinchSms.token.requests.length;

    await sut.send(message());

    expect(fake.sinchSms.token.requests).toHaveLength(tokenCalls);
    expect(fake.sinchSms.send.lastRequest!.body).not.toHaveProperty('from');
  });

  it('should fail non-transiently on a 400 batch answer, naming the Sinch code but not the number or the code', async () => {
    fake.sinchSms.send.enqueue(reply.json(400, { code: 'syntax_invalid_parameter_format', text: `Invalid number ${PHONE} for ${OUR_CODE}` }));

    const error = await providerFailure(provider().send(message()));

    expect(error).toMatchObject({ transient: false, status: 400, provider: 'sinch-sms' });
    expect(error.message).toContain('syntax_invalid_parameter_format');
    expectNoSecrets(error);
  });

  it('should fail non-transiently when the key is refused by the token endpoint (401)', async () => {
    const batchCalls = fake.sinchSms.send.requests.length;

    const error = await providerFailure(provider({ keySecret: 'wrong' }).send(message()));

    expect(error).toMatchObject({ transient: false, status: 401 });
    expect(fake.sinchSms.send.requests).toHaveLength(batchCalls);
  });

  it('should fail transiently on a 5xx from the token endpoint or from batches', async () => {
    fake.sinchSms.token.enqueue(reply.json(503, { error: 'unavailable' }));
    expect(await providerFailure(provider().send(message()))).toMatchObject({ transient: true, status: 503 });

    fake.sinchSms.send.enqueue(reply.json(500, { code: 'internal_error', text: 'boom' }));
    expect(await providerFailure(provider().send(message()))).toMatchObject({ transient: true, status: 500 });
  });

  it('should fail transiently on 429 and on an HTML 502 from batches', async () => {
    fake.sinchSms.send.enqueue(reply.json(429, { code: 'too_many_requests', text: 'slow down' }), reply.html502());

    expect(await providerFailure(provider().send(message()))).toMatchObject({ transient: true, status: 429 });
    const badGateway = await providerFailure(provider().send(message()));
    expect(badGateway).toMatchObject({ transient: true, status: 502 });
    expectNoSecrets(badGateway);
  });

  it('should fail non-transiently on a 201 that is not JSON', async () => {
    fake.sinchSms.send.enqueue(reply.text(201, 'created'));

    expect(await providerFailure(provider().send(message()))).toMatchObject({ transient: false, status: 201 });
  });

  it('should fail transiently within about a second when batches answer after timeoutMs', async () => {
    fake.sinchSms.send.enqueue(reply.delay(3_000));
    const startedAt = Date.now();

    const error = await providerFailure(provider({ timeoutMs: 200 }).send(message()));

    expect(error).toMatchObject({ transient: true, status: undefined });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expectNoSecrets(error);
  });

  it('should fail transiently within about a second when the token endpoint hangs (the SDK sets it no timeout)', async () => {
    fake.sinchSms.token.enqueue(reply.hang());
    const startedAt = Date.now();

    const error = await providerFailure(provider({ timeoutMs: 200 }).send(message()));

    expect(error).toMatchObject({ transient: true, status: undefined });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });

  it('should fail transiently when the connection is refused', async () => {
    const refused = await refusedBaseUrl();

    const error = await providerFailure(provider({ baseUrl: refused, authBaseUrl: refused }).send(message()));

    expect(error).toMatchObject({ transient: true, status: undefined });
    expectNoSecrets(error);
  });
});

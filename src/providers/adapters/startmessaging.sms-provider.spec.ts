import { FakeProviders, providerFailure, refusedBaseUrl, reply, startFakeProviders } from '../../../test/support/fake-providers.js';
import { expectNoSecrets, otpMessage, TEST_CODE, TEST_PHONE } from '../../../test/support/otp-message.js';
import { StartMessagingSmsProvider, StartMessagingSmsProviderOptions } from './startmessaging.sms-provider.js';

const PHONE = TEST_PHONE;
const OUR_CODE = TEST_CODE;

const message = otpMessage;


describe(StartMessagingSmsProvider.name, () => {
  let fake: FakeProviders;
  let sut: StartMessagingSmsProvider;

  beforeAll(async () => {
    fake = await startFakeProviders();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    sut = provider();
  });
  afterEach(() => {
    fake.startMessaging.send.reset();
    fake.startMessaging.verify.reset();
    fake.startMessaging.sendFormat = 'data';
  });

  const provider = (overrides: Partial<StartMessagingSmsProviderOptions> = {}) =>
    new StartMessagingSmsProvider({ apiKey: fake.startMessaging.apiKey, baseUrl: fake.baseUrl, timeoutMs: 2_000, ...overrides });
  const check = (code: string, providerRef = 'otp_1') => sut.check({ channel: 'sms', providerRef, to: PHONE, code });

  it('should post the number and idempotency key with the API key, and return the OTP request id', async () => {
    const dispatch = await sut.send(message({ idempotencyKey: `idem-${Date.now()}` }));

    const request = fake.startMessaging.send.lastRequest!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/otp/send');
    expect(request.headers['x-api-key']).toBe('sm_test_key');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({ phoneNumber: PHONE, idempotencyKey: expect.stringMatching(/^idem-\d+$/) });
    expect(request.rawBody).not.toContain(OUR_CODE);
    expect(dispatch).toEqual({ providerRef: fake.startMessaging.lastRequestId });
    expect(sut.name).toBe('startmessaging');
    expect(sut.ownsCodes).toBe(true);
  });

  it('should read the id from data.otpRequestId, not the top-level trace requestId, in the other envelope', async () => {
    fake.startMessaging.sendFormat = 'envelope';

    const dispatch = await sut.send(message({ idempotencyKey: `idem-${Date.now()}-envelope` }));

    expect(dispatch.providerRef).toBe(fake.startMessaging.lastRequestId);
    expect(dispatch.providerRef).toMatch(/^otp_/);
  });

  it('should fail non-transiently when a 2xx answer carries no OTP request id', async () => {
    fake.startMessaging.send.enqueue(reply.json(201, { success: true, requestId: 'req_trace', data: { status: 'queued' } }));

    expect(await providerFailure(sut.send(message()))).toMatchObject({ transient: false, status: 201 });
  });

  it('should approve the code StartMessaging sent, posting requestId and otpCode', async () => {
    const { providerRef } = await sut.send(message({ idempotencyKey: `idem-${Date.now()}-approve` }));

    await expect(check(fake.startMessaging.lastCode!, providerRef)).resolves.toBe('approved');

    const request = fake.startMessaging.verify.lastRequest!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/otp/verify');
    expect(request.headers['x-api-key']).toBe('sm_test_key');
    expect(request.body).toEqual({ requestId: providerRef, otpCode: fake.startMessaging.lastCode });
  });

  it('should reject a wrong code (200 verified false)', async () => {
    const { providerRef } = await sut.send(message({ idempotencyKey: `idem-${Date.now()}-wrong` }));
    const wrong = fake.startMessaging.lastCode === '000000' ? '111111' : '000000';

    await expect(check(wrong, providerRef)).resolves.toBe('rejected');
  });

  it('should report expired when the OTP has expired (410 "OTP expired")', async () => {
    const { providerRef } = await sut.send(message({ idempotencyKey: `idem-${Date.now()}-expired` }));
    fake.startMessaging.expire(providerRef!);

    await expect(check(fake.startMessaging.lastCode!, providerRef)).resolves.toBe('expired');
  });

  it('should read 4xx answers that name the code state as verdicts', async () => {
    fake.startMessaging.verify.enqueue(
      reply.json(404, { success: false, message: 'OTP request not found' }),
      reply.json(400, { success: false, error: { code: 'INVALID_OTP', message: 'Invalid OTP' } }),
      reply.json(400, { success: false, message: 'OTP has expired' }),
      reply.json(410, {}),
    );

    await expect(check(OUR_CODE)).resolves.toBe('rejected');
    await expect(check(OUR_CODE)).resolves.toBe('rejected');
    await expect(check(OUR_CODE)).resolves.toBe('expired');
    await expect(check(OUR_CODE)).resolves.toBe('expired');
  });

  it('should fail non-transiently on a 4xx that says nothing about the code, and on a bad API key', async () => {
    fake.startMessaging.verify.enqueue(reply.json(400, { success: false, message: 'Request body is malformed' }), reply.text(404, 'Cannot POST'));

    const malformed = await providerFailure(check(OUR_CODE));
    const unknownRoute = await providerFailure(check(OUR_CODE));
    const badKey = await providerFailure(provider({ apiKey: 'sm_wrong' }).send(message()));

    expect(malformed).toMatchObject({ transient: false, status: 400 });
    expect(unknownRoute).toMatchObject({ transient: false, status: 404 });
    expect(badKey).toMatchObject({ transient: false, status: 401 });
    expectNoSecrets(malformed);
  });

  it('should fail transiently on 429, reporting Retry-After, without the number', async () => {
    fake.startMessaging.send.enqueue(reply.json(429, { success: false, message: `Too many OTPs for ${PHONE}` }, { 'retry-after': '30' }));

    const error = await providerFailure(sut.send(message()));

    expect(error).toMatchObject({ transient: true, status: 429 });
    expect(error.message).toContain('retry after 30 s');
    expectNoSecrets(error);
  });

  it('should fail transiently on a 5xx JSON answer, an HTML 502 and an empty 500', async () => {
    fake.startMessaging.verify.enqueue(reply.json(503, { message: 'maintenance' }), reply.html502(), reply.empty500());

    for (const status of [503, 502, 500]) {
      const error = await providerFailure(check(OUR_CODE));
      expect(error).toMatchObject({ transient: true, status });
      expectNoSecrets(error);
    }
  });

  it('should fail non-transiently on a 2xx verify answer without a verdict', async () => {
    fake.startMessaging.verify.enqueue(reply.text(200, '<html>ok</html>', 'text/html'));

    expect(await providerFailure(check(OUR_CODE))).toMatchObject({ transient: false, status: 200 });
  });

  it('should fail transiently within about a second when the answer comes after timeoutMs', async () => {
    fake.startMessaging.verify.enqueue(reply.delay(3_000));
    const startedAt = Date.now();

    const error = await providerFailure(provider({ timeoutMs: 200 }).check({ channel: 'sms', providerRef: 'otp_1', to: PHONE, code: OUR_CODE }));

    expect(error).toMatchObject({ transient: true, status: undefined });
    expect(error.message).toContain('200 ms');
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expectNoSecrets(error);
  });

  it('should fail transiently when the caller aborts', async () => {
    fake.startMessaging.send.enqueue(reply.hang());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);

    const error = await providerFailure(provider({ timeoutMs: 5_000 }).send(message(), controller.signal));

    expect(error).toMatchObject({ transient: true, status: undefined });
    expect(error.message).toContain('aborted');
  });

  it('should fail transiently when the connection is refused', async () => {
    const error = await providerFailure(provider({ baseUrl: await refusedBaseUrl() }).send(message()));

    expect(error).toMatchObject({ transient: true, status: undefined });
    expectNoSecrets(error);
  });
});

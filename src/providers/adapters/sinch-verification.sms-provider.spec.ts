import { validateAuthenticationHeader } from '@sinch/verification';
import { FakeProviders, providerFailure, refusedBaseUrl, reply, startFakeProviders } from '../../../test/support/fake-providers.js';
import { expectNoSecrets, otpMessage, TEST_CODE, TEST_PHONE } from '../../../test/support/otp-message.js';
import { SinchVerificationSmsProvider, SinchVerificationSmsProviderOptions } from './sinch-verification.sms-provider.js';

const PHONE = TEST_PHONE;
const OUR_CODE = TEST_CODE;

const message = otpMessage;

describe(SinchVerificationSmsProvider.name, () => {
  let fake: FakeProviders;

  beforeAll(async () => {
    fake = await startFakeProviders();
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.sinchVerification.start.reset();
    fake.sinchVerification.report.reset();
  });

  const provider = (overrides: Partial<SinchVerificationSmsProviderOptions> = {}) =>
    new SinchVerificationSmsProvider({
      applicationKey: fake.sinchVerification.applicationKey,
      applicationSecret: fake.sinchVerification.applicationSecret,
      baseUrl: fake.baseUrl,
      timeoutMs: 2_000,
      ...overrides,
    });

  it('should start an SMS verification with an Application-signed request carrying number, reference and options', async () => {
    const sut = provider();

    const dispatch = await sut.send(message({ locale: 'hi-IN' }));

    const request = fake.sinchVerification.start.lastRequest!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/verification/v1/verifications');
    expect(request.headers.authorization).toMatch(/^Application test-app-key:[A-Za-z0-9+/]+=*$/);
    expect(request.headers['x-timestamp']).toEqual(expect.any(String));
    expect(
      validateAuthenticationHeader('test-app-key', fake.sinchVerification.applicationSecret, request.headers, request.rawBody, request.url, request.method),
    ).toBe(true);
    expect(request.headers['accept-language']).toBe('hi-IN');
    expect(request.body).toEqual({
      identity: { type: 'number', endpoint: PHONE },
      reference: 'ver-123',
      smsOptions: { expiry: '00:05:00', codeType: 'Numeric' },
      method: 'sms',
    });
    expect(request.rawBody).not.toContain(OUR_CODE);
    expect(dispatch).toEqual({ providerRef: fake.sinchVerification.lastId });
    expect(sut.name).toBe('sinch-verification');
    expect(sut.ownsCodes).toBe(true);
  });

  it('should write ttlSeconds as an HH:MM:SS expiry and send no Accept-Language without a locale', async () => {
    await provider().send(message({ ttlSeconds: 3_725 }));

    const request = fake.sinchVerification.start.lastRequest!;
    expect((request.body as { smsOptions: unknown }).smsOptions).toEqual({ expiry: '01:02:05', codeType: 'Numeric' });
    expect(request.headers['accept-language']).toBeUndefined();
  });

  it('should approve the code Sinch sent, reporting it by verification id', async () => {
    const sut = provider();
    const { providerRef } = await sut.send(message());

    const verdict = await sut.check({ channel: 'sms', providerRef: providerRef!, to: PHONE, code: fake.sinchVerification.lastCode! });

    expect(verdict).toBe('approved');
    const request = fake.sinchVerification.report.lastRequest!;
    expect(request.method).toBe('PUT');
    expect(request.url).toBe(`/verification/v1/verifications/id/${providerRef}`);
    expect(request.body).toEqual({ sms: { code: fake.sinchVerification.lastCode }, method: 'sms' });
    expect(
      validateAuthenticationHeader('test-app-key', fake.sinchVerification.applicationSecret, request.headers, request.rawBody, request.url, request.method),
    ).toBe(true);
  });

  it('should reject a wrong code (200 FAIL "Invalid code")', async () => {
    const sut = provider();
    const { providerRef } = await sut.send(message());
    const wrong = fake.sinchVerification.lastCode === '000000' ? '111111' : '000000';

    await expect(sut.check({ channel: 'sms', providerRef: providerRef!, to: PHONE, code: wrong })).resolves.toBe('rejected');
  });

  it('should report expired when Sinch answers FAIL "Expired"', async () => {
    const sut = provider();
    const { providerRef } = await sut.send(message());
    fake.sinchVerification.expire(providerRef!);

    await expect(sut.check({ channel: 'sms', providerRef: providerRef!, to: PHONE, code: fake.sinchVerification.lastCode! })).resolves.toBe('expired');
  });

  it('should reject when Sinch answers 404 with a 404xx error code (unknown verification)', async () => {
    await expect(provider().check({ channel: 'sms', providerRef: '999', to: PHONE, code: OUR_CODE })).resolves.toBe('rejected');
  });

  it('should fail non-transiently on a 404 that is not a Sinch "not found" answer', async () => {
    fake.sinchVerification.report.enqueue(reply.text(404, 'Not Found'));

    const error = await providerFailure(provider().check({ channel: 'sms', providerRef: '999', to: PHONE, code: OUR_CODE }));

    expect(error).toMatchObject({ transient: false, status: 404, provider: 'sinch-verification' });
    expectNoSecrets(error, OUR_CODE);
  });

  it('should fail non-transiently on a 400, naming the Sinch error code but not the echoed number', async () => {
    fake.sinchVerification.start.enqueue(reply.json(400, { errorCode: 40001, message: `Number ${PHONE} is invalid. Too short.` }));

    const error = await providerFailure(provider().send(message()));

    expect(error).toMatchObject({ transient: false, status: 400 });
    expect(error.message).toContain('40001');
    expectNoSecrets(error, OUR_CODE);
  });

  it('should fail non-transiently when the application secret is wrong (401)', async () => {
    const error = await providerFailure(provider({ applicationSecret: Buffer.from('wrong').toString('base64') }).send(message()));

    expect(error).toMatchObject({ transient: false, status: 401 });
  });

  it('should fail transiently on 429 and on a 5xx JSON answer', async () => {
    fake.sinchVerification.start.enqueue(reply.json(429, { errorCode: 42900, message: 'Too many requests' }), reply.json(503, { errorCode: 50300 }));

    expect(await providerFailure(provider().send(message()))).toMatchObject({ transient: true, status: 429 });
    expect(await providerFailure(provider().send(message()))).toMatchObject({ transient: true, status: 503 });
  });

  it('should fail transiently on an HTML 502 and on an empty 500 while checking, without the code in the message', async () => {
    fake.sinchVerification.report.enqueue(reply.html502(), reply.empty500());
    const check = () => provider().check({ channel: 'sms', providerRef: '123', to: PHONE, code: OUR_CODE });

    const badGateway = await providerFailure(check());
    const empty = await providerFailure(check());

    expect(badGateway).toMatchObject({ transient: true, status: 502 });
    expect(empty).toMatchObject({ transient: true, status: 500 });
    expectNoSecrets(badGateway, OUR_CODE);
    expectNoSecrets(empty, OUR_CODE);
  });

  it('should fail non-transiently on a 2xx answer that is not JSON or has no id', async () => {
    fake.sinchVerification.start.enqueue(reply.text(200, '<html>ok</html>', 'text/html'), reply.json(200, { method: 'sms' }));

    expect(await providerFailure(provider().send(message()))).toMatchObject({ transient: false, status: 200 });
    expect(await providerFailure(provider().send(message()))).toMatchObject({ transient: false });
  });

  it('should fail transiently within about a second when Sinch answers after timeoutMs', async () => {
    fake.sinchVerification.report.enqueue(reply.delay(3_000));
    const startedAt = Date.now();

    const error = await providerFailure(provider({ timeoutMs: 200 }).check({ channel: 'sms', providerRef: '123', to: PHONE, code: OUR_CODE }));

    expect(error.transient).toBe(true);
    expect(error.status).toBeUndefined();
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expectNoSecrets(error, OUR_CODE);
  });

  it('should fail transiently when the caller aborts', async () => {
    fake.sinchVerification.start.enqueue(reply.hang());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const startedAt = Date.now();

    const error = await providerFailure(provider({ timeoutMs: 5_000 }).send(message(), controller.signal));

    expect(error.transient).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });

  it('should fail transiently when the connection is refused', async () => {
    const error = await providerFailure(provider({ baseUrl: await refusedBaseUrl() }).send(message()));

    expect(error).toMatchObject({ transient: true, status: undefined });
    expect(error.message).toContain('connection refused');
    expectNoSecrets(error, OUR_CODE);
  });
  it('delivers on SMS, voice and WhatsApp', () => {
    expect(provider().channels).toEqual(['sms', 'voice', 'whatsapp']);
  });

  const signedBySinchKey = (request: { headers: Record<string, unknown>; rawBody: string; url: string; method: string }) =>
    validateAuthenticationHeader(
      'test-app-key',
      fake.sinchVerification.applicationSecret,
      request.headers as Parameters<typeof validateAuthenticationHeader>[2],
      request.rawBody,
      request.url,
      request.method,
    );

  describe('voice (callout)', () => {
    const voice = (overrides: Parameters<typeof message>[0] = {}) => message({ channel: 'voice', ...overrides });

    it('starts a callout with a signed request carrying number, reference and the speech locale, and no code of ours', async () => {
      const dispatch = await provider().send(voice({ locale: 'hi-IN' }));

      const request = fake.sinchVerification.start.lastRequest!;
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/verification/v1/verifications');
      expect(request.headers.authorization).toMatch(/^Application test-app-key:[A-Za-z0-9+/]+=*$/);
      expect(request.headers['x-timestamp']).toEqual(expect.any(String));
      expect(signedBySinchKey(request)).toBe(true);
      expect(request.body).toEqual({
        identity: { type: 'number', endpoint: PHONE },
        reference: 'ver-123',
        calloutOptions: { speech: { locale: 'hi-IN' } },
        method: 'callout',
      });
      expect(request.headers['accept-language']).toBeUndefined();
      expect(request.rawBody).not.toContain(OUR_CODE);
      expect(dispatch).toEqual({ providerRef: fake.sinchVerification.lastId });
      expect(fake.sinchVerification.lastMethod).toBe('callout');
      expect(fake.sinchVerification.verifications.get(dispatch.providerRef!)?.method).toBe('callout');
    });

    it('leaves the spoken language to Sinch without a language-region locale, and normalises the case of one', async () => {
      await provider().send(voice());
      const withoutLocale = fake.sinchVerification.start.lastRequest!.body;
      await provider().send(voice({ locale: 'hi' }));
      const bareLanguage = fake.sinchVerification.start.lastRequest!.body;
      await provider().send(voice({ locale: 'pt-br' }));
      const lowerCaseRegion = fake.sinchVerification.start.lastRequest!.body;

      expect(withoutLocale).toEqual({ identity: { type: 'number', endpoint: PHONE }, reference: 'ver-123', method: 'callout' });
      expect(bareLanguage).toEqual(withoutLocale);
      expect(lowerCaseRegion).toMatchObject({ calloutOptions: { speech: { locale: 'pt-BR' } } });
    });

    it('approves the code the call spoke, reporting it by id with the callout method', async () => {
      const sut = provider();
      const { providerRef } = await sut.send(voice());

      const verdict = await sut.check({ channel: 'voice', providerRef: providerRef!, to: PHONE, code: fake.sinchVerification.lastCode! });

      expect(verdict).toBe('approved');
      const request = fake.sinchVerification.report.lastRequest!;
      expect(request.method).toBe('PUT');
      expect(request.url).toBe(`/verification/v1/verifications/id/${providerRef}`);
      expect(request.body).toEqual({ callout: { code: fake.sinchVerification.lastCode }, method: 'callout' });
      expect(signedBySinchKey(request)).toBe(true);
    });

    it('rejects a wrong code (200 FAIL "Invalid code")', async () => {
      const sut = provider();
      const { providerRef } = await sut.send(voice());
      const wrong = fake.sinchVerification.lastCode === '000000' ? '111111' : '000000';

      await expect(sut.check({ channel: 'voice', providerRef: providerRef!, to: PHONE, code: wrong })).resolves.toBe('rejected');
    });

    it('reports expired when Sinch answers FAIL "Expired"', async () => {
      const sut = provider();
      const { providerRef } = await sut.send(voice());
      fake.sinchVerification.expire(providerRef!);

      await expect(sut.check({ channel: 'voice', providerRef: providerRef!, to: PHONE, code: fake.sinchVerification.lastCode! })).resolves.toBe(
        'expired',
      );
    });

    it('rejects an unknown callout (404 with a 404xx error code)', async () => {
      await expect(provider().check({ channel: 'voice', providerRef: '999', to: PHONE, code: OUR_CODE })).resolves.toBe('rejected');
    });

    it('rejects when the person hung up without entering the code (FAIL)', async () => {
      fake.sinchVerification.report.enqueue(
        reply.json(200, { id: '123', method: 'callout', status: 'FAIL', reason: 'Hung up without entering valid code', callComplete: true }),
      );

      await expect(provider().check({ channel: 'voice', providerRef: '123', to: PHONE, code: OUR_CODE })).resolves.toBe('rejected');
    });

    it('fails transiently when Sinch answers status ERROR, naming the reason but not the code', async () => {
      fake.sinchVerification.report.enqueue(
        reply.json(200, { id: '123', method: 'callout', status: 'ERROR', reason: 'Network error or number unreachable' }),
      );

      const error = await providerFailure(provider().check({ channel: 'voice', providerRef: '123', to: PHONE, code: OUR_CODE }));

      expect(error).toMatchObject({ transient: true, provider: 'sinch-verification' });
      expect(error.message).toContain('report callout code');
      expect(error.message).toContain('Network error or number unreachable');
      expectNoSecrets(error, OUR_CODE);
    });

    it('fails non-transiently on a 400, naming the Sinch error code but not the echoed number', async () => {
      fake.sinchVerification.start.enqueue(reply.json(400, { errorCode: 40001, message: `Number ${PHONE} is invalid. Too short.` }));

      const error = await providerFailure(provider().send(voice()));

      expect(error).toMatchObject({ transient: false, status: 400 });
      expect(error.message).toContain('start callout verification');
      expect(error.message).toContain('40001');
      expectNoSecrets(error, OUR_CODE);
    });

    it('fails transiently on 429 ("too quickly") and on 503 when starting a callout', async () => {
      fake.sinchVerification.start.enqueue(
        reply.json(429, { errorCode: 42901, message: `Cannot initiate verification to ${PHONE} too quickly` }),
        reply.json(503, { errorCode: 50300, message: 'Service is temporarily unavailable' }),
      );

      const tooQuickly = await providerFailure(provider().send(voice()));
      const unavailable = await providerFailure(provider().send(voice()));

      expect(tooQuickly).toMatchObject({ transient: true, status: 429 });
      expect(unavailable).toMatchObject({ transient: true, status: 503 });
      expectNoSecrets(tooQuickly, OUR_CODE);
    });

    it('fails non-transiently when a 2xx callout answer has no id', async () => {
      fake.sinchVerification.start.enqueue(reply.json(200, { method: 'callout' }));

      expect(await providerFailure(provider().send(voice()))).toMatchObject({ transient: false });
    });

    it('fails transiently on an HTML 502 while reporting a callout code, without the code in the message', async () => {
      fake.sinchVerification.report.enqueue(reply.html502());

      const error = await providerFailure(provider().check({ channel: 'voice', providerRef: '123', to: PHONE, code: OUR_CODE }));

      expect(error).toMatchObject({ transient: true, status: 502 });
      expectNoSecrets(error, OUR_CODE);
    });

    it('fails transiently within about a second when the callout start or its report answers after timeoutMs', async () => {
      fake.sinchVerification.start.enqueue(reply.delay(3_000));
      fake.sinchVerification.report.enqueue(reply.delay(3_000));
      const sut = provider({ timeoutMs: 200 });
      const startedAt = Date.now();

      const start = await providerFailure(sut.send(voice()));
      const report = await providerFailure(sut.check({ channel: 'voice', providerRef: '123', to: PHONE, code: OUR_CODE }));

      expect(start).toMatchObject({ transient: true, status: undefined });
      expect(report).toMatchObject({ transient: true, status: undefined });
      expect(Date.now() - startedAt).toBeLessThan(2_000);
      expectNoSecrets(start, OUR_CODE);
      expectNoSecrets(report, OUR_CODE);
    });

    it('fails transiently when the caller aborts a hanging callout start', async () => {
      fake.sinchVerification.start.enqueue(reply.hang());
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);

      const error = await providerFailure(provider({ timeoutMs: 5_000 }).send(voice(), controller.signal));

      expect(error).toMatchObject({ transient: true });
      expect(error.message).toContain('aborted by the caller');
    });

    it('fails transiently when the connection is refused', async () => {
      const error = await providerFailure(provider({ baseUrl: await refusedBaseUrl() }).send(voice()));

      expect(error).toMatchObject({ transient: true, status: undefined });
      expect(error.message).toContain('connection refused');
      expectNoSecrets(error, OUR_CODE);
    });
  });

  describe('WhatsApp', () => {
    const whatsapp = (overrides: Parameters<typeof message>[0] = {}) => message({ channel: 'whatsapp', ...overrides });

    it('starts a WhatsApp verification with a signed request carrying number, reference and a numeric code type', async () => {
      const dispatch = await provider().send(whatsapp({ locale: 'hi-IN' }));

      const request = fake.sinchVerification.start.lastRequest!;
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/verification/v1/verifications');
      expect(signedBySinchKey(request)).toBe(true);
      expect(request.body).toEqual({
        identity: { type: 'number', endpoint: PHONE },
        reference: 'ver-123',
        whatsappOptions: { codeType: 'Numeric' },
        method: 'whatsapp',
      });
      // SDK 1.4.0 sends no Accept-Language for WhatsApp: Sinch's app default language applies.
      expect(request.headers['accept-language']).toBeUndefined();
      expect(request.rawBody).not.toContain(OUR_CODE);
      expect(dispatch).toEqual({ providerRef: fake.sinchVerification.lastId });
      expect(fake.sinchVerification.lastMethod).toBe('whatsapp');
    });

    it('approves the code WhatsApp delivered, reporting it by id with the whatsapp method, and rejects a wrong one', async () => {
      const sut = provider();
      const { providerRef } = await sut.send(whatsapp());
      const code = fake.sinchVerification.lastCode!;
      const wrong = code === '000000' ? '111111' : '000000';

      const wrongVerdict = await sut.check({ channel: 'whatsapp', providerRef: providerRef!, to: PHONE, code: wrong });
      const rightVerdict = await sut.check({ channel: 'whatsapp', providerRef: providerRef!, to: PHONE, code });

      expect(wrongVerdict).toBe('rejected');
      expect(rightVerdict).toBe('approved');
      const request = fake.sinchVerification.report.lastRequest!;
      expect(request.method).toBe('PUT');
      expect(request.url).toBe(`/verification/v1/verifications/id/${providerRef}`);
      expect(request.body).toEqual({ whatsapp: { code }, method: 'whatsapp' });
      expect(signedBySinchKey(request)).toBe(true);
    });

    it('reports expired, and rejects an unknown verification', async () => {
      const sut = provider();
      const { providerRef } = await sut.send(whatsapp());
      fake.sinchVerification.expire(providerRef!);

      await expect(sut.check({ channel: 'whatsapp', providerRef: providerRef!, to: PHONE, code: fake.sinchVerification.lastCode! })).resolves.toBe(
        'expired',
      );
      await expect(sut.check({ channel: 'whatsapp', providerRef: '999', to: PHONE, code: OUR_CODE })).resolves.toBe('rejected');
    });

    it('fails non-transiently on a 400 and transiently on a 503, naming neither number nor code', async () => {
      fake.sinchVerification.start.enqueue(
        reply.json(400, { errorCode: 40001, message: `Number ${PHONE} is invalid.` }),
        reply.json(503, { errorCode: 50300, message: 'Service is temporarily unavailable' }),
      );

      const invalid = await providerFailure(provider().send(whatsapp()));
      const unavailable = await providerFailure(provider().send(whatsapp()));

      expect(invalid).toMatchObject({ transient: false, status: 400 });
      expect(invalid.message).toContain('start whatsapp verification');
      expect(unavailable).toMatchObject({ transient: true, status: 503 });
      expectNoSecrets(invalid, OUR_CODE);
      expectNoSecrets(unavailable, OUR_CODE);
    });

    it('fails transiently within about a second when the report answers after timeoutMs', async () => {
      fake.sinchVerification.report.enqueue(reply.delay(3_000));
      const startedAt = Date.now();

      const error = await providerFailure(provider({ timeoutMs: 200 }).check({ channel: 'whatsapp', providerRef: '123', to: PHONE, code: OUR_CODE }));

      expect(error).toMatchObject({ transient: true, status: undefined });
      expect(error.message).toContain('report whatsapp code');
      expect(Date.now() - startedAt).toBeLessThan(1_000);
      expectNoSecrets(error, OUR_CODE);
    });
  });
});

import { FakeProviders, providerFailure, refusedBaseUrl, reply, startFakeProviders } from '../../../test/support/fake-providers.js';
import { expectNoSecrets, otpMessage, TEST_CODE, TEST_PHONE } from '../../../test/support/otp-message.js';
import { whatsAppLanguage, WhatsAppCloudSmsProvider, WhatsAppCloudSmsProviderOptions } from './whatsapp-cloud.sms-provider.js';

const message = (overrides: Parameters<typeof otpMessage>[0] = {}) => otpMessage({ channel: 'whatsapp', ...overrides });

describe(WhatsAppCloudSmsProvider.name, () => {
  let fake: FakeProviders;
  let sut: WhatsAppCloudSmsProvider;

  beforeAll(async () => {
    fake = await startFakeProviders();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    sut = provider();
  });
  afterEach(() => fake.whatsAppCloud.route.reset());

  const provider = (overrides: Partial<WhatsAppCloudSmsProviderOptions> = {}) =>
    new WhatsAppCloudSmsProvider({
      accessToken: fake.whatsAppCloud.accessToken,
      phoneNumberId: fake.whatsAppCloud.phoneNumberId,
      templateName: fake.whatsAppCloud.templateName,
      defaultLanguage: 'en_US',
      apiVersion: 'v25.0',
      baseUrl: fake.baseUrl,
      timeoutMs: 2_000,
      ...overrides,
    });
  const metaError = (status: number, code: number, title: string, subcode?: number) => fake.whatsAppCloud.error(status, code, title, subcode);

  it('posts the authentication template with the code in the body and the copy-code button, and returns the wamid', async () => {
    const dispatch = await sut.send(message());

    const request = fake.whatsAppCloud.route.lastRequest!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/v25.0/${fake.whatsAppCloud.phoneNumberId}/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${fake.whatsAppCloud.accessToken}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: TEST_PHONE,
      type: 'template',
      template: {
        name: 'verification_code',
        language: { code: 'en_US' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: TEST_CODE }] },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: TEST_CODE }] },
        ],
      },
    });
    expect(request.rawBody).not.toContain('Your code is');
    expect(fake.whatsAppCloud.lastCode).toBe(TEST_CODE);
    expect(dispatch).toEqual({ providerRef: fake.whatsAppCloud.lastMessageId });
    expect(dispatch.providerRef).toMatch(/^wamid\./);
    expect(sut).toMatchObject({ name: 'whatsapp-cloud', ownsCodes: false, channels: ['whatsapp'] });
  });

  it('sends the template language mapped from the locale', async () => {
    for (const [locale, code] of [
      ['pt-BR', 'pt_BR'],
      ['hi', 'hi'],
      ['es-CO', 'es'],
      ['en-GB', 'en_US'],
      [undefined, 'en_US'],
    ] as const) {
      await sut.send(message({ locale }));
      expect(fake.whatsAppCloud.route.lastRequest!.body).toMatchObject({ template: { language: { code } } });
    }
  });

  it('uses the configured default language and API version', async () => {
    await provider({ defaultLanguage: 'en', apiVersion: 'v23.0' }).send(message({ locale: 'en-US' }));

    expect(fake.whatsAppCloud.route.lastRequest!.url).toBe(`/v23.0/${fake.whatsAppCloud.phoneNumberId}/messages`);
    expect(fake.whatsAppCloud.route.lastRequest!.body).toMatchObject({ template: { language: { code: 'en' } } });
  });

  it('fails non-transiently when the number is not on WhatsApp (131026), naming the status and code only', async () => {
    fake.whatsAppCloud.route.enqueue(metaError(400, 131026, `Message Undeliverable. ${TEST_PHONE} ${TEST_CODE}`));

    const error = await providerFailure(sut.send(message()));

    expect(error).toMatchObject({ provider: 'whatsapp-cloud', transient: false, status: 400 });
    expect(error.message).toMatch(/^whatsapp-cloud: send failed with HTTP 400: Meta error 131026 \(message undeliverable.*\), fbtrace_id A\w+$/);
    expectNoSecrets(error, 'Undeliverable.');
  });

  it('fails non-transiently when the template is missing in the language, unapproved or has other parameters', async () => {
    const missingLanguage = await providerFailure(sut.send(message({ locale: 'fr' })));
    // The fake, like Meta, answers a language the template lacks with 132001 (HTTP 404).
    expect(fake.whatsAppCloud.route.lastRequest!.body).toMatchObject({ template: { language: { code: 'fr' } } });
    const unknownTemplate = await providerFailure(provider({ templateName: 'no_such_template' }).send(message()));
    fake.whatsAppCloud.route.enqueue(
      metaError(400, 132000, 'Number of parameters does not match'),
      metaError(400, 132012, 'Parameter format does not match'),
      metaError(400, 132015, 'Template is paused'),
    );
    const others = [await providerFailure(sut.send(message())), await providerFailure(sut.send(message())), await providerFailure(sut.send(message()))];

    expect(missingLanguage).toMatchObject({ transient: false, status: 404 });
    expect(missingLanguage.message).toContain('Meta error 132001 (template does not exist in this language or is not approved)');
    expect(unknownTemplate).toMatchObject({ transient: false, status: 404 });
    expect(others.map((error) => [error.transient, error.message.match(/Meta error (\d+)/)?.[1]])).toEqual([
      [false, '132000'],
      [false, '132012'],
      [false, '132015'],
    ]);
    for (const error of [missingLanguage, unknownTemplate, ...others]) expectNoSecrets(error);
  });

  it('fails transiently on rate limits, whether Meta answers them with 400 or 429', async () => {
    fake.whatsAppCloud.route.enqueue(
      metaError(400, 130429, 'Rate limit hit'),
      metaError(400, 131056, '(Business Account, Consumer Account) pair rate limit hit'),
      metaError(400, 4, 'Application request limit reached'),
      metaError(429, 80007, 'Rate limit issues'),
      reply.json(429, {}),
    );

    const errors = [];
    for (let i = 0; i < 5; i += 1) errors.push(await providerFailure(sut.send(message())));

    expect(errors.map((error) => [error.transient, error.status])).toEqual([
      [true, 400],
      [true, 400],
      [true, 400],
      [true, 429],
      [true, 429],
    ]);
    expect(errors[1].message).toContain('Meta error 131056 (pair rate limit');
    expect(errors[4].message).toBe('whatsapp-cloud: send failed with HTTP 429');
  });

  it('fails non-transiently on a wrong or expired token, with its subcode', async () => {
    fake.whatsAppCloud.route.enqueue(metaError(401, 190, 'Error validating access token: Session has expired', 463));

    const expired = await providerFailure(sut.send(message()));
    const wrong = await providerFailure(provider({ accessToken: 'EAAwrong' }).send(message()));

    expect(expired).toMatchObject({ transient: false, status: 401 });
    expect(expired.message).toContain('Meta error 190 (access token expired or invalid), subcode 463');
    expect(wrong).toMatchObject({ transient: false, status: 401 });
    expect(wrong.message).not.toContain('EAAwrong');
  });

  it('fails non-transiently on a permission error Meta answers with a 500 (code 3)', async () => {
    fake.whatsAppCloud.route.enqueue(metaError(500, 3, 'Capability or permissions issue'));

    expect(await providerFailure(sut.send(message()))).toMatchObject({ transient: false, status: 500 });
  });

  it('fails non-transiently when the phone number id is not the account\'s', async () => {
    const error = await providerFailure(provider({ phoneNumberId: '999' }).send(message()));

    expect(error).toMatchObject({ transient: false, status: 400 });
    expect(error.message).toContain('Meta error 100 (invalid parameter), subcode 33');
  });

  it('fails transiently on a 5xx: Meta JSON, an HTML 502 and an empty 500', async () => {
    fake.whatsAppCloud.route.enqueue(metaError(500, 131000, 'Something went wrong'), reply.html502(), reply.empty500());

    for (const status of [500, 502, 500]) {
      const error = await providerFailure(sut.send(message()));
      expect(error).toMatchObject({ transient: true, status });
      expectNoSecrets(error);
    }
  });

  it('fails non-transiently on a 200 without a message id', async () => {
    fake.whatsAppCloud.route.enqueue(reply.json(200, { messaging_product: 'whatsapp', messages: [] }), reply.text(200, 'ok'));

    expect(await providerFailure(sut.send(message()))).toMatchObject({ transient: false, status: 200 });
    expect(await providerFailure(sut.send(message()))).toMatchObject({ transient: false, status: 200 });
  });

  it('fails transiently within about a second when Meta does not answer within timeoutMs', async () => {
    fake.whatsAppCloud.route.enqueue(reply.hang());
    const startedAt = Date.now();

    const error = await providerFailure(provider({ timeoutMs: 200 }).send(message()));

    expect(error).toMatchObject({ transient: true, status: undefined });
    expect(error.message).toBe('whatsapp-cloud: send: no answer within 200 ms');
    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });

  it('fails transiently when the connection is refused or reset', async () => {
    fake.whatsAppCloud.route.enqueue(reply.destroy());

    const refused = await providerFailure(provider({ baseUrl: await refusedBaseUrl() }).send(message()));
    const reset = await providerFailure(sut.send(message()));

    expect(refused).toMatchObject({ transient: true, status: undefined });
    expect(refused.message).toBe('whatsapp-cloud: send: network failure');
    expect(reset).toMatchObject({ transient: true, status: undefined });
    expectNoSecrets(refused);
    expectNoSecrets(reset);
  });
});

describe(whatsAppLanguage.name, () => {
  it('maps BCP 47 locales to WhatsApp template languages', () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'en_US'],
      ['', 'en_US'],
      ['en', 'en_US'],
      ['en-GB', 'en_US'],
      ['pt-BR', 'pt_BR'],
      ['pt_br', 'pt_BR'],
      ['pt-PT', 'pt_PT'],
      ['pt', 'pt_BR'],
      ['es', 'es'],
      ['es-MX', 'es_MX'],
      ['es-419', 'es'],
      ['hi', 'hi'],
      ['hi-IN', 'hi'],
      ['fr-CA', 'fr'],
      ['zh', 'zh_CN'],
      ['zh-Hant', 'zh_TW'],
      ['zh-Hant-HK', 'zh_HK'],
      ['no', 'nb'],
      ['tl', 'fil'],
      ['sr-Latn-RS', 'sr'],
      ['xx', 'en_US'],
      ['not a locale', 'en_US'],
    ];

    expect(cases.map(([locale]) => [locale, whatsAppLanguage(locale, 'en_US')])).toEqual(cases);
  });

  it('gives the default for every tag in the default\'s own language', () => {
    expect(['pt', 'pt-PT', 'pt-BR'].map((locale) => whatsAppLanguage(locale, 'pt_BR'))).toEqual(['pt_BR', 'pt_BR', 'pt_BR']);
    expect(['en', 'en-US', 'en-GB', 'es-MX'].map((locale) => whatsAppLanguage(locale, 'en'))).toEqual(['en', 'en', 'en', 'es_MX']);
  });
});

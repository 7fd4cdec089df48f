import { createHmac } from 'node:crypto';
import { FakeProviders, providerFailure, refusedBaseUrl, reply, startFakeProviders } from '../../../test/support/fake-providers.js';
import { OtpMessage } from '../sms-provider.js';
import { expectNoSecrets, otpMessage, TEST_CODE, TEST_PHONE } from '../../../test/support/otp-message.js';
import { signWebhook, verifyWebhookSignature, WebhookSmsProvider, WebhookSmsProviderOptions } from './webhook.sms-provider.js';

const PHONE = TEST_PHONE;
const OUR_CODE = TEST_CODE;
const SECRET = 'test-webhook-secret';
const NOW_MS = Date.parse('2030-01-02T03:04:05.678Z');

const message = (overrides: Partial<OtpMessage> = {}): OtpMessage => otpMessage({ locale: 'hi-IN', ...overrides });


describe(WebhookSmsProvider.name, () => {
  let fake: FakeProviders;

  beforeAll(async () => {
    fake = await startFakeProviders({ webhookSecret: SECRET });
  });
  afterAll(() => fake.close());
  afterEach(() => fake.webhook.route.reset());

  const provider = (overrides: Partial<WebhookSmsProviderOptions> = {}) =>
    new WebhookSmsProvider({ url: fake.webhookUrl, secret: SECRET, timeoutMs: 2_000, ...overrides });

  it('should post the message as JSON with a timestamp and a v1 HMAC-SHA256 signature of "<timestamp>.<body>"', async () => {
    fake.webhook.route.enqueue(reply.json(200, { id: 'gw-42' }));
    const sut = provider({ nowMs: () => NOW_MS });

    const dispatch = await sut.send(message());

    const request = fake.webhook.route.lastRequest!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/webhook/sms');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-phone-auth-timestamp']).toBe(String(Math.floor(NOW_MS / 1000)));
    const expected = createHmac('sha256', SECRET).update(`${Math.floor(NOW_MS / 1000)}.${request.rawBody}`).digest('hex');
    expect(request.headers['x-phone-auth-signature']).toBe(`v1=${expected}`);
    expect(request.body).toEqual({ phone: PHONE, channel: 'sms', code: OUR_CODE, message: `Your code is ${OUR_CODE}`, locale: 'hi-IN', verificationId: 'ver-123' });
    expect(dispatch).toEqual({ providerRef: 'gw-42' });
    expect(sut.name).toBe('webhook');
    expect(sut.ownsCodes).toBe(false);
  });

  it('should be accepted by a gateway verifying the signature on the real clock', async () => {
    await provider().send(message({ locale: undefined }));

    expect(fake.webhook.lastCode).toBe(OUR_CODE);
    expect(fake.webhook.deliveries.at(-1)).toEqual({ phone: PHONE, channel: 'sms', code: OUR_CODE, message: `Your code is ${OUR_CODE}`, verificationId: 'ver-123' });
  });

  it('should succeed on any 2xx, with no providerRef when the answer has no JSON id', async () => {
    fake.webhook.route.enqueue(reply.text(204, ''), reply.text(200, 'queued'));

    await expect(provider().send(message())).resolves.toEqual({ providerRef: undefined });
    await expect(provider().send(message())).resolves.toEqual({ providerRef: undefined });
  });

  it('should fail non-transiently when the gateway refuses a stale signature (401)', async () => {
    const error = await providerFailure(provider({ nowMs: () => Date.now() - 10 * 60_000 }).send(message()));

    expect(error).toMatchObject({ transient: false, status: 401, provider: 'webhook' });
    expectNoSecrets(error);
  });

  it('should fail non-transiently on a redirect rather than follow it with the code', async () => {
    const calls = fake.requests.length;
    fake.webhook.route.enqueue(reply.json(307, {}, { location: '/elsewhere' }));

    const error = await providerFailure(provider().send(message()));

    expect(error).toMatchObject({ transient: false, status: 307 });
    expect(fake.requests).toHaveLength(calls + 1);
  });

  it('should fail transiently on 429, a 5xx, an HTML 502 and an empty 500', async () => {
    fake.webhook.route.enqueue(reply.json(429, {}), reply.json(503, { error: `down for ${PHONE}` }), reply.html502(), reply.empty500());

    for (const status of [429, 503, 502, 500]) {
      const error = await providerFailure(provider().send(message()));
      expect(error).toMatchObject({ transient: true, status });
      expectNoSecrets(error);
    }
  });

  it('should fail transiently within about a second when the gateway answers after timeoutMs', async () => {
    fake.webhook.route.enqueue(reply.delay(3_000));
    const startedAt = Date.now();

    const error = await providerFailure(provider({ timeoutMs: 200 }).send(message()));

    expect(error).toMatchObject({ transient: true, status: undefined });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expectNoSecrets(error);
  });

  it('should fail transiently when the connection is refused or reset', async () => {
    fake.webhook.route.enqueue(reply.destroy());

    const reset = await providerFailure(provider().send(message()));
    const refused = await providerFailure(provider({ url: `${await refusedBaseUrl()}/webhook/sms` }).send(message()));

    expect(reset).toMatchObject({ transient: true, status: undefined });
    expect(refused).toMatchObject({ transient: true, status: undefined });
    expectNoSecrets(refused);
  });
});

describe(verifyWebhookSignature.name, () => {
  const body = JSON.stringify({ phone: PHONE, code: OUR_CODE });
  const timestamp = String(Math.floor(NOW_MS / 1000));
  const signature = signWebhook(SECRET, timestamp, body);

  it('should accept the signature signWebhook made, within the tolerance, also among several values', () => {
    expect(verifyWebhookSignature(SECRET, { timestamp, signature }, body, NOW_MS)).toBe(true);
    expect(verifyWebhookSignature(SECRET, { timestamp, signature }, Buffer.from(body), NOW_MS + 299_000)).toBe(true);
    expect(verifyWebhookSignature(SECRET, { timestamp, signature: `v1=${'0'.repeat(64)}, ${signature}` }, body, NOW_MS)).toBe(true);
  });

  it('should refuse a changed body, another secret, another timestamp or a replay past the tolerance', () => {
    expect(verifyWebhookSignature(SECRET, { timestamp, signature }, body.replace(OUR_CODE, '000000'), NOW_MS)).toBe(false);
    expect(verifyWebhookSignature('other-secret', { timestamp, signature }, body, NOW_MS)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { timestamp: String(Number(timestamp) + 1), signature }, body, NOW_MS)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { timestamp, signature }, body, NOW_MS + 301_000)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { timestamp, signature }, body, NOW_MS - 301_000)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { timestamp, signature }, body, NOW_MS + 60_000, 30)).toBe(false);
  });

  it('should refuse missing or malformed headers', () => {
    expect(verifyWebhookSignature(SECRET, { timestamp: undefined, signature }, body, NOW_MS)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { timestamp, signature: undefined }, body, NOW_MS)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { timestamp, signature: signature.slice(3) }, body, NOW_MS)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { timestamp, signature: signature.slice(0, -2) }, body, NOW_MS)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { timestamp: `${timestamp}.5`, signature }, body, NOW_MS)).toBe(false);
  });
});

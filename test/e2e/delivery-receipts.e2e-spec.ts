import type { LightMyRequestResponse } from 'fastify';
import { EventLog } from '../../src/events/event-log.js';
import { InMemoryEventLog } from '../../src/events/in-memory-event-log.js';
import type { RecordedEvent } from '../../src/events/event-types.js';
import { phoneTagOfVerificationId } from '../../src/otp/verification-id.js';
import { REDIS_CLIENT, type RedisClient } from '../../src/redis/redis.constants.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { FakeProviders, startFakeProviders } from '../support/fake-providers.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { describeWithRedisCluster, RedisCluster } from '../support/redis-cluster.js';
import { AppSettings, everyStore, json, phoneSequence, postJson, sharedStoreSettings, startTestApp, TestApp, verifyCode } from '../support/e2e-kit.js';

const SINCH_TOKEN = 'sinch-receipt-token-0123456789abcdef';
const APP_SECRET = 'meta-app-secret-for-the-tests';
const VERIFY_TOKEN = 'meta-verify-token-of-the-tests';
const FAILED = 'verification.delivery_failed';

type Stored = { name: string; settings: () => AppSettings };

/**
 * The verification.delivery_failed events of `verificationId`: read back from the shard stream on
 * Redis, and in every store as the subscriber received them, signed (the in-memory queue hands
 * its events to the dispatcher, so the subscriber is where they show). Waits briefly for the
 * subscriber when `expected` are due.
 */
async function deliveryFailedEvents(t: TestApp, receiver: WebhookReceiver, verificationId: string, expected = 1): Promise<RecordedEvent['data'][]> {
  const delivered = () => [...receiver.received.values()].filter((event) => event.type === FAILED && event.data.verificationId === verificationId).map((event) => event.data as RecordedEvent['data']);
  const deadline = Date.now() + 10_000;
  while (delivered().length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  await new Promise((resolve) => setTimeout(resolve, 300)); // a second event would show by now
  const log = t.app.get(EventLog);
  if (log instanceof InMemoryEventLog) return delivered();
  const keys = t.app.get(RedisKeys);
  const redis = t.app.get<RedisClient>(REDIS_CLIENT);
  const entries = await redis.xrange(keys.eventStream(keys.eventShard(phoneTagOfVerificationId(verificationId))), '-', '+');
  const recorded = entries
    .map(([, fields]) => {
      const field = (name: string) => fields[fields.indexOf(name) + 1]!;
      return { type: field('type'), data: JSON.parse(field('data')) as RecordedEvent['data'] };
    })
    .filter((event) => event.type === FAILED && event.data.verificationId === verificationId)
    .map((event) => event.data);
  // The stream may be trimmed once delivered: what it still holds is what the subscriber got.
  for (const data of recorded) expect(delivered()).toContainEqual(data);
  return delivered();
}

function receiptSuite({ name, settings }: Stored, block: string): void {
  describe(`delivery receipts on the ${name}`, () => {
    let fake: FakeProviders;
    let receiver: WebhookReceiver;
    let t: TestApp;
    const nextPhone = phoneSequence(block);

    beforeAll(async () => {
      fake = await startFakeProviders({ webhookSecret: 'test-webhook-secret-of-32-characters!!' });
      receiver = await WebhookReceiver.start();
      t = await startTestApp({
        ...settings(),
        ...fake.serviceEnv(),
        SMS_PROVIDER_TIMEOUT_MS: '1000',
        SMS_PROVIDERS: 'sinch-sms,webhook',
        WHATSAPP_PROVIDERS: 'whatsapp-cloud',
        CHANNEL_ORDER: '*:whatsapp+sms',
        SINCH_SMS_RECEIPT_TOKEN: SINCH_TOKEN,
        WHATSAPP_APP_SECRET: APP_SECRET,
        WHATSAPP_WEBHOOK_VERIFY_TOKEN: VERIFY_TOKEN,
        EVENT_WEBHOOKS: JSON.stringify([receiver.subscriber({ events: FAILED, includePhone: true, name: 'receipts' })]),
        EVENT_POLL_INTERVAL_MS: '50',
      });
    });
    afterAll(async () => {
      await t?.close();
      await fake?.close();
      await receiver?.stop();
    });

    const send = async (channel: 'sms' | 'whatsapp') => {
      const sent = await postJson(t, '/v1/otp/send', { phone: nextPhone(), channel });
      expect(sent.statusCode).toBe(202);
      return json(sent).verificationId as string;
    };
    const status = async (id: string) => json(await t.inject({ method: 'GET', url: `/v1/otp/verifications/${id}` }));
    const sinchReceipt = (body: unknown, token = SINCH_TOKEN): Promise<LightMyRequestResponse> =>
      postJson(t, `/v1/providers/sinch-sms/receipts?token=${token}`, body);
    const whatsAppReceipt = (body: unknown, signature?: string): Promise<LightMyRequestResponse> => {
      const raw = JSON.stringify(body, null, 1);
      return t.inject({
        method: 'POST',
        url: '/v1/providers/whatsapp-cloud/receipts',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? fake.whatsAppCloud.sign(raw, APP_SECRET) },
        payload: raw,
      });
    };

    it('resends once through the next SMS provider after Sinch reports Failed, and the code received logs in', async () => {
      const id = await send('sms');
      const batchId = fake.sinchSms.lastBatchId!;
      expect(fake.sinchSms.batches.at(-1)).toMatchObject({ delivery_report: 'per_recipient' });
      expect(String(fake.sinchSms.batches.at(-1)!.callback_url)).toContain(`/v1/providers/sinch-sms/receipts?token=${SINCH_TOKEN}`);
      const webhookSends = fake.webhook.route.requests.length;

      const answer = await sinchReceipt(fake.sinchSms.deliveryReport(batchId, 'Failed', 402));
      expect([answer.statusCode, answer.body]).toEqual([200, '']);

      const shown = await status(id);
      expect(shown).toMatchObject({ status: 'pending', attemptsRemaining: 5, delivery: { status: 'failed', provider: 'sinch-sms', autoResent: true } });
      expect(fake.webhook.route.requests.length - webhookSends).toBe(1);
      const [event] = await deliveryFailedEvents(t, receiver, id);
      expect(event).toMatchObject({ verificationId: id, provider: 'sinch-sms', channel: 'sms', errorCode: '402' });
      expect(String(event!.phone)).toMatch(/^\+91/);
      expect((await verifyCode(t, { verificationId: id, code: fake.webhook.lastCode })).statusCode).toBe(200);
    });

    it('resends only once for repeated and racing failure reports', async () => {
      const id = await send('sms');
      const report = fake.sinchSms.deliveryReport(fake.sinchSms.lastBatchId!, 'Failed');
      const webhookSends = fake.webhook.route.requests.length;
      const answers = await Promise.all([sinchReceipt(report), sinchReceipt(report), sinchReceipt(report)]);
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200]);
      expect(await sinchReceipt(report)).toHaveProperty('statusCode', 200);
      expect(fake.webhook.route.requests.length - webhookSends).toBe(1);
      expect(await deliveryFailedEvents(t, receiver, id)).toHaveLength(1);
    });

    it('records Delivered and resends nothing', async () => {
      const id = await send('sms');
      const webhookSends = fake.webhook.route.requests.length;
      expect((await sinchReceipt(fake.sinchSms.deliveryReport(fake.sinchSms.lastBatchId!, 'Delivered'))).statusCode).toBe(200);
      expect((await status(id)).delivery).toMatchObject({ status: 'delivered', provider: 'sinch-sms', autoResent: false });
      expect(fake.webhook.route.requests.length).toBe(webhookSends);
    });

    it('resends by SMS after a signed WhatsApp status says failed (no other WhatsApp provider), and that code logs in', async () => {
      const id = await send('whatsapp');
      const batches = fake.sinchSms.batches.length;
      const answer = await whatsAppReceipt(fake.whatsAppCloud.statusWebhook(fake.whatsAppCloud.lastMessageId!, 'failed', 131026));
      expect(answer.statusCode).toBe(200);
      expect((await status(id)).delivery).toMatchObject({ status: 'failed', provider: 'whatsapp-cloud', autoResent: true });
      expect((await status(id)).channel).toBe('sms');
      expect(fake.sinchSms.batches.length - batches).toBe(1);
      expect(await deliveryFailedEvents(t, receiver, id)).toEqual([expect.objectContaining({ provider: 'whatsapp-cloud', channel: 'whatsapp', errorCode: '131026' })]);
      expect((await verifyCode(t, { verificationId: id, code: fake.sinchSms.lastCode })).statusCode).toBe(200);
    });

    it('refuses a WhatsApp status with a bad signature (401) and changes nothing', async () => {
      const id = await send('whatsapp');
      const batches = fake.sinchSms.batches.length;
      const body = fake.whatsAppCloud.statusWebhook(fake.whatsAppCloud.lastMessageId!, 'failed');
      const forged = await whatsAppReceipt(body, fake.whatsAppCloud.sign(JSON.stringify(body), 'not-the-app-secret'));
      expect([forged.statusCode, json(forged).code]).toEqual([401, 'unauthorized']);
      const unsigned = await postJson(t, '/v1/providers/whatsapp-cloud/receipts', body);
      expect(unsigned.statusCode).toBe(401);
      expect((await status(id)).delivery).toMatchObject({ status: 'unknown', provider: null, autoResent: false });
      expect(fake.sinchSms.batches.length).toBe(batches);
      expect(await deliveryFailedEvents(t, receiver, id, 0)).toEqual([]);
    });

    it('records a failure after approval without resending', async () => {
      const id = await send('sms');
      const batchId = fake.sinchSms.lastBatchId!;
      expect((await verifyCode(t, { verificationId: id, code: fake.sinchSms.lastCode })).statusCode).toBe(200);
      const webhookSends = fake.webhook.route.requests.length;
      expect((await sinchReceipt(fake.sinchSms.deliveryReport(batchId, 'Failed'))).statusCode).toBe(200);
      expect(await status(id)).toMatchObject({ status: 'approved', delivery: { status: 'failed', autoResent: false } });
      expect(fake.webhook.route.requests.length).toBe(webhookSends);
    });

    it('answers 200 for an unknown message, 401 for a wrong token, 400 for a malformed report, 404 for another provider', async () => {
      expect((await sinchReceipt(fake.sinchSms.deliveryReport('01UNKNOWNBATCH', 'Failed'))).statusCode).toBe(200);
      const wrong = await sinchReceipt(fake.sinchSms.deliveryReport('01UNKNOWNBATCH', 'Failed'), 'x'.repeat(40));
      expect([wrong.statusCode, json(wrong).code]).toEqual([401, 'unauthorized']);
      const malformed = await sinchReceipt({ type: 'recipient_delivery_report_sms' });
      expect([malformed.statusCode, json(malformed).code]).toEqual([400, 'validation_failed']);
      const other = await postJson(t, '/v1/providers/startmessaging/receipts', {});
      expect([other.statusCode, json(other).code]).toEqual([404, 'not_found']);
    });

    it('answers Meta\'s verification request with the challenge only for the right verify token', async () => {
      const url = (token: string) => `/v1/providers/whatsapp-cloud/receipts?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`;
      const ok = await t.inject({ method: 'GET', url: url(VERIFY_TOKEN) });
      expect([ok.statusCode, ok.body, ok.headers['content-type']]).toEqual([200, '1158201444', 'text/plain; charset=utf-8']);
      expect((await t.inject({ method: 'GET', url: url('wrong-token-of-some-length') })).statusCode).toBe(403);
    });

    it('exports receipts by provider and status, and each provider\'s delivery ratio', async () => {
      const metrics = (await t.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/phone_auth_delivery_receipts_total\{provider="sinch-sms",status="failed"\} \d+/);
      expect(metrics).toMatch(/phone_auth_delivery_ratio\{provider="sinch-sms"\} 0\.\d+/);
      expect(metrics).toMatch(/phone_auth_delivery_auto_resends_total\{provider="sinch-sms",outcome="sent"\} [1-9]/);
    });
  });
}

const stores = everyStore();
receiptSuite(stores[0]!, '987661');
if (stores[1]) receiptSuite(stores[1], '987662');

describeWithRedisCluster('on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await RedisCluster.start();
  });
  afterAll(async () => cluster?.stop());
  receiptSuite({ name: 'Redis Cluster', settings: () => sharedStoreSettings({ REDIS_CLUSTER_NODES: cluster.nodes }) }, '987663');
});

import { EVENT_TYPES } from '../../src/events/event-types.js';
import { json, login, phoneSequence, postJson, refreshSession, sendCode, sharedStoreSettings, startTestApp, verifyCode, type AppSettings, type TestApp } from '../support/e2e-kit.js';
import { refusedBaseUrl } from '../support/fake-providers.js';
import { describeWithRedisCluster, RedisCluster } from '../support/redis-cluster.js';
import { describeWithRedis, RedisServer } from '../support/redis-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

// Issue 17's "done when": every listed event, caused through the HTTP API, reaches a subscriber
// signed as Standard Webhooks says (the receiver verifies each with the standardwebhooks package
// and refuses any other). verification.delivery_failed comes from a provider's delivery receipt:
// delivery-receipts.e2e-spec.ts has its subscriber receive it, signed, on every store.

const AWAITED = EVENT_TYPES.filter((type) => type !== 'verification.delivery_failed');

/** Numbers per purpose, each block its own prefix: only the fraud block's sends trip the breaker. */
const loginPhone = phoneSequence('981100');
const failingPhone = phoneSequence('981200');
const cancelPhone = phoneSequence('981300');
const fraudPhone = phoneSequence('981400');

/**
 * The app's settings for the flow: a first provider that refuses every connection (its circuit
 * opens after five failures, the outbox delivers meanwhile), two attempts per code, no refresh
 * grace, a breaker that trips at three unverified sends.
 */
async function flowSettings(receiver: WebhookReceiver): Promise<AppSettings> {
  return {
    SMS_PROVIDERS: 'webhook,outbox',
    SMS_WEBHOOK_URL: `${await refusedBaseUrl()}/sms`,
    SMS_WEBHOOK_SECRET: 'webhook-secret-of-at-least-32-characters',
    OTP_MAX_ATTEMPTS: '2',
    REFRESH_TOKEN_REUSE_GRACE_SECONDS: '0',
    PREFIX_BREAKER_MIN_SENDS: '3',
    EVENT_POLL_INTERVAL_MS: '50',
    EVENT_RETRY_BASE_MS: '100',
    EVENT_WEBHOOKS: JSON.stringify([receiver.subscriber({ name: 'all' })]),
  };
}

/** Causes one of each event through the HTTP API. */
async function causeEveryEvent(t: TestApp): Promise<void> {
  const first = await login(t, loginPhone());
  expect((await refreshSession(t, first.refreshToken)).statusCode).toBe(200);
  expect(json(await refreshSession(t, first.refreshToken)).code).toBe('refresh_token_reused');
  const second = await login(t, loginPhone());
  expect((await postJson(t, '/v1/sessions/logout', {}, { authorization: `Bearer ${second.accessToken}` })).statusCode).toBe(204);

  const failing = json(await sendCode(t, failingPhone()));
  const wrong = t.codes.last.replace(/\d$/, (digit) => String((Number(digit) + 1) % 10));
  for (let n = 0; n < 2; n += 1) expect(json(await verifyCode(t, { verificationId: failing.verificationId, code: wrong })).code).toBe('invalid_code');

  const canceled = json(await sendCode(t, cancelPhone()));
  expect((await t.inject({ method: 'DELETE', url: `/v1/otp/verifications/${canceled.verificationId}` })).statusCode).toBe(200);

  for (let n = 0; n < 3; n += 1) expect((await sendCode(t, fraudPhone())).statusCode).toBe(202);
}

async function expectEveryEventDelivered(receiver: WebhookReceiver): Promise<void> {
  const types = () => new Set([...receiver.received.values()].map((event) => event.type));
  const deadline = Date.now() + 30_000;
  while (!AWAITED.every((type) => types().has(type)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  expect([...types()].sort()).toEqual([...AWAITED].sort());
  expect(receiver.refused).toBe(0);
  // No phone number for a subscriber that did not ask for them; never a code or a token.
  for (const event of receiver.received.values()) {
    expect(event.data).not.toHaveProperty('phone');
    expect(JSON.stringify(event.data)).not.toMatch(/refresh|code"|token/i);
  }
}

function everyEventReachesTheSubscriber(storeSettings: () => AppSettings): void {
  let receiver: WebhookReceiver;
  let t: TestApp;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestApp({ ...storeSettings(), ...(await flowSettings(receiver)) });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  it('delivers every listed event, caused through the API, signed and verifiable by the standardwebhooks package', async () => {
    await causeEveryEvent(t);
    await expectEveryEventDelivered(receiver);
  });
}

describe('every event reaches a webhook subscriber on the in-memory store', () => {
  everyEventReachesTheSubscriber(() => ({}));
});

describeWithRedis('every event reaches a webhook subscriber on a Redis store', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => server?.stop());
  // Nested: the app closes before the server stops.
  describe('with its app', () => everyEventReachesTheSubscriber(() => sharedStoreSettings({ REDIS_URL: server.url })));
});

describeWithRedisCluster('every event reaches a webhook subscriber on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await RedisCluster.start();
  });
  afterAll(async () => cluster?.stop());
  describe('with its app', () => everyEventReachesTheSubscriber(() => sharedStoreSettings({ REDIS_CLUSTER_NODES: cluster.nodes })));
});

import { createHash } from 'node:crypto';
import { EventLog } from '../../src/events/event-log.js';
import { EVENT_SHARD_TAGS } from '../../src/redis/event-shards.js';
import { describeOnEveryStore, json, sharedStoreSettings, startTestApp, type AppSettings, type TestApp } from '../support/e2e-kit.js';
import { FakeClock } from '../support/fake-clock.js';
import { describeWithRedisCluster, RedisCluster } from '../support/redis-cluster.js';
import { describeWithRedis, RedisServer } from '../support/redis-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const ADMIN_KEY = 'events-admin-key-of-at-least-32-characters';
const API_KEYS = `ops:${createHash('sha256').update(ADMIN_KEY).digest('hex')}:admin`;

/** Quick polls and retries, so a test sees minutes of dispatch in seconds. */
const FAST_DISPATCH: AppSettings = {
  EVENT_POLL_INTERVAL_MS: '50',
  EVENT_RETRY_BASE_MS: '100',
  EVENT_DELIVERY_TIMEOUT_MS: '5000',
  EVENT_CLAIM_IDLE_MS: '11000',
};

const webhooks = (...subscribers: Record<string, unknown>[]) => ({ EVENT_WEBHOOKS: JSON.stringify(subscribers) });

/** Records `count` events as the scripts will (until they do): through the app's EventLog. */
async function recordEvents(t: TestApp, count: number, type: 'user.created' | 'session.revoked' = 'user.created'): Promise<string[]> {
  const log = t.app.get(EventLog);
  const ids: string[] = [];
  for (let n = 0; n < count; n += 1) {
    const draft = log.draft({ userId: `usr_${n}`, phone: '+919876543210' });
    await log.append(type, draft);
    ids.push(draft.id);
  }
  return ids;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const admin = { 'x-api-key': ADMIN_KEY };

/** A count of the app's phone_auth_event_deliveries_total by outcome. */
async function deliveries(t: TestApp, outcome: 'delivered' | 'failed'): Promise<number> {
  const metrics = (await t.inject({ method: 'GET', url: '/metrics' })).body;
  return Number(new RegExp(`phone_auth_event_deliveries_total\\{outcome="${outcome}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
}

/**
 * At least once: a subscriber sees an id twice only when an attempt it accepted was counted as
 * failed (its answer came after the timeout) or a delivery was taken over from a stuck
 * dispatcher. So duplicates are bounded by the failed attempts.
 */
async function expectDuplicatesBounded(receiver: WebhookReceiver, ...apps: TestApp[]): Promise<void> {
  const failed = (await Promise.all(apps.map((app) => deliveries(app, 'failed')))).reduce((sum, n) => sum + n, 0);
  const accepted = [...receiver.deliveries.values()].reduce((sum, n) => sum + n, 0);
  expect(receiver.duplicates).toBeLessThanOrEqual(Math.max(0, failed - receiver.failedOnPurpose));
  expect(accepted).toBe(receiver.received.size + receiver.duplicates);
}

describeOnEveryStore('events delivered to webhooks on the $name', (store) => {
  let receiver: WebhookReceiver;
  let withPhone: WebhookReceiver;
  let t: TestApp;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    withPhone = await WebhookReceiver.start();
    t = await startTestApp({
      ...store.settings(),
      ...FAST_DISPATCH,
      ...webhooks(receiver.subscriber({ name: 'all' }), withPhone.subscriber({ name: 'users', events: 'user.*', includePhone: true })),
    });
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([receiver?.stop(), withPhone?.stop()]);
  });

  it('delivers every event to a subscriber that was down, once it is back, once per id', async () => {
    receiver.setMode('fail');
    const ids = await recordEvents(t, 20);
    await until(() => receiver.failedOnPurpose >= 20);
    // Ready while a subscriber is down: dispatch is not the service's health.
    expect((await t.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    await until(() => receiver.failedOnPurpose >= 40);
    receiver.setMode('ok');
    await receiver.waitFor(ids);
    expect([...receiver.received.keys()].sort()).toEqual([...ids].sort());
    await expectDuplicatesBounded(receiver, t);
    expect(receiver.refused).toBe(0);
    const metrics = (await t.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/phone_auth_event_deliveries_total\{outcome="failed"\} [1-9]/);
    expect(metrics).toMatch(/phone_auth_event_retries_total [1-9]/);
    expect(metrics).toMatch(/phone_auth_event_delivery_latency_seconds_count [1-9]/);
    expect(metrics).toContain('phone_auth_event_queue_depth{shard=');
  });

  it('sends the phone number only to the subscriber that asked for it, and only the events it filtered', async () => {
    const [userEvent] = await recordEvents(t, 1);
    const [sessionEvent] = await recordEvents(t, 1, 'session.revoked');
    await receiver.waitFor([userEvent, sessionEvent]);
    await withPhone.waitFor([userEvent]);
    expect(receiver.received.get(userEvent)).toMatchObject({ type: 'user.created', data: { userId: 'usr_0' } });
    expect(receiver.received.get(userEvent)!.data).not.toHaveProperty('phone');
    expect(withPhone.received.get(userEvent)!.data).toEqual({ userId: 'usr_0', phone: '+919876543210' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(withPhone.received.has(sessionEvent)).toBe(false);
  });
});

describeOnEveryStore('dead letters on the $name', (store) => {
  let receiver: WebhookReceiver;
  let t: TestApp;
  // An hour and a minute behind: the event is recorded then, and the clock catches up with the
  // real time to pass its retry window (receivers check webhook-timestamp against the real time).
  const clock = new FakeClock(Date.now() - 3_660_000);

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestApp({ ...store.settings(), ...FAST_DISPATCH, API_KEYS, EVENT_RETRY_HOURS: '1', ...webhooks(receiver.subscriber({ name: 'crm' })) }, { clock });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  it('gives a delivery up after the retry window, lists it, and delivers it on replay', async () => {
    receiver.setMode('fail');
    const [id] = await recordEvents(t, 1);
    await until(() => receiver.failedOnPurpose >= 1);
    clock.advance(Date.now() - clock.nowMs());
    const list = async () => json<{ deadLetters: { id: string; eventId: string; subscriber: string; attempts: number; lastStatus: number; data: object }[] }>(
      await t.inject({ method: 'GET', url: '/v1/admin/events/dead-letter?limit=10', headers: admin }),
    ).deadLetters;
    await until(async () => (await list()).some((letter) => letter.eventId === id));
    const [letter] = (await list()).filter((candidate) => candidate.eventId === id);
    expect(letter).toMatchObject({ subscriber: 'crm', lastStatus: 500, data: { userId: 'usr_0' } });
    expect(letter.attempts).toBeGreaterThanOrEqual(2);
    expect(letter.data).not.toHaveProperty('phone');
    expect(receiver.received.has(id)).toBe(false);
    expect((await t.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/phone_auth_event_dead_letters_total 1/);

    receiver.setMode('ok');
    const replayed = await t.inject({ method: 'POST', url: `/v1/admin/events/dead-letter/${letter.id}/replay`, headers: admin });
    expect(replayed.statusCode).toBe(202);
    await receiver.waitFor([id]);
    expect((await list()).some((candidate) => candidate.eventId === id)).toBe(false);
    const again = await t.inject({ method: 'POST', url: `/v1/admin/events/dead-letter/${letter.id}/replay`, headers: admin });
    expect(again.statusCode).toBe(404);
    expect(json(again).code).toBe('not_found');
  });

  it('keeps the dead letters behind the admin scope', async () => {
    expect((await t.inject({ method: 'GET', url: '/v1/admin/events/dead-letter' })).statusCode).toBe(401);
    expect((await t.inject({ method: 'GET', url: '/v1/admin/events/dead-letter?limit=0', headers: admin })).statusCode).toBe(400);
  });
});

describeWithRedis('two instances on one Redis', () => {
  let server: RedisServer;
  let receiver: WebhookReceiver;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    server = await RedisServer.start();
    receiver = await WebhookReceiver.start();
    const settings = sharedStoreSettings({ REDIS_URL: server.url, ...FAST_DISPATCH, ...webhooks(receiver.subscriber()) });
    a = await startTestApp(settings);
    b = await startTestApp(settings);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await receiver?.stop();
    await server?.stop();
  });

  it('share the dispatch: every event delivered, each by one of them', async () => {
    const ids = [...(await recordEvents(a, 150)), ...(await recordEvents(b, 150))];
    await receiver.waitFor(ids, 30_000);
    const [byA, byB] = [await deliveries(a, 'delivered'), await deliveries(b, 'delivered')];
    await expectDuplicatesBounded(receiver, a, b);
    expect(receiver.duplicates).toBeLessThanOrEqual(ids.length / 10);
    expect(byA + byB).toBeGreaterThanOrEqual(ids.length);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
  });

  it('trims the shard streams once the group has delivered their events', async () => {
    const redis = server.client();
    try {
      const lengths = async () => (await Promise.all(EVENT_SHARD_TAGS.map((shard) => redis.xlen(`phone-auth:events:{${shard}}:stream`)))).reduce((sum, n) => sum + n, 0);
      await recordEvents(a, 40);
      await until(async () => (await lengths()) === 0);
    } finally {
      redis.disconnect();
    }
  });

  it('keeps dispatching after Redis went away and came back', async () => {
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.start();
    const ids = await recordEvents(a, 20).catch(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return recordEvents(a, 20);
    });
    await receiver.waitFor(ids, 30_000);
  });
});

describeWithRedisCluster('events on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  let receiver: WebhookReceiver;
  let t: TestApp;

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    receiver = await WebhookReceiver.start();
    t = await startTestApp(sharedStoreSettings({ REDIS_CLUSTER_NODES: cluster.nodes, ...FAST_DISPATCH, ...webhooks(receiver.subscriber()) }));
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
    await cluster?.stop();
  });

  it('delivers the events of every shard, on every master, and retries there', async () => {
    receiver.setMode('fail');
    const ids = await recordEvents(t, 64);
    await until(() => receiver.failedOnPurpose >= 64);
    receiver.setMode('ok');
    await receiver.waitFor(ids, 30_000);
    await expectDuplicatesBounded(receiver, t);
    const streamsByNode = (await cluster.keysByNode()).map((keys) => keys.filter((key) => key.includes(':retries') || key.includes(':stream')).length);
    expect(streamsByNode.every((count) => count > 0)).toBe(true);
  });
});

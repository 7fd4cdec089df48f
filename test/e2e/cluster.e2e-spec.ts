import type { LightMyRequestResponse } from 'fastify';
import { describeWithRedisCluster, RedisCluster } from '../support/redis-cluster.js';
import { describeWithRedis, RedisSentinel } from '../support/redis-server.js';
import { bearer, json, refreshSession, sendCode, sharedStoreSettings, startTestApp, TestApp, verifyCode } from '../support/e2e-kit.js';

const PREFIX = 'phone-auth:';

// Each request comes from its own client address, so per-IP limits never refuse these flows.
let ipCounter = 0;
const nextIp = () => `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter++ & 255}`;

const send = (t: TestApp, phone: string) => sendCode(t, phone, {}, { remoteAddress: nextIp() });
const verify = (t: TestApp, body: object) => verifyCode(t, body, {}, { remoteAddress: nextIp() });
const refresh = (t: TestApp, refreshToken: string) => refreshSession(t, refreshToken, {}, { remoteAddress: nextIp() });

/**
 * Sends on `t` and returns the code it made. Sends on one instance take turns, so the code the
 * instance made last is this send's even while other logins run (and verify) concurrently.
 */
const sendTurns = new Map<TestApp, Promise<unknown>>();
async function sendAndCapture(t: TestApp, phone: string): Promise<{ response: LightMyRequestResponse; code: string }> {
  const turn = (sendTurns.get(t) ?? Promise.resolve()).then(async () => {
    const response = await send(t, phone);
    return { response, code: response.statusCode === 202 ? t.codes.last : '' };
  });
  sendTurns.set(t, turn.catch(() => undefined));
  return turn;
}

/** A login across instances, the code sent by `sender` verified on `verifier`: the verify's answer, for the caller to check. */
async function loginAcross(sender: TestApp, verifier: TestApp, phone: string) {
  const { response, code } = await sendAndCapture(sender, phone);
  expect(response.statusCode).toBe(202);
  return verify(verifier, { verificationId: json(response).verificationId, code });
}

describeWithRedisCluster('two instances on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    const settings = sharedStoreSettings({ REDIS_CLUSTER_NODES: cluster.nodes, REDIS_COMMAND_TIMEOUT_MS: '500' });
    a = await startTestApp(settings);
    b = await startTestApp(settings);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await cluster?.stop();
  });

  it('should verify on one instance the code sent by the other, and refresh and log out across them', async () => {
    const verified = await loginAcross(a, b, '+919876900001');
    expect(verified.statusCode).toBe(200);
    const first = json(verified);

    const refreshedOnA = await refresh(a, first.refreshToken);
    expect(refreshedOnA.statusCode).toBe(200);
    const refreshedOnB = await refresh(b, json(refreshedOnA).refreshToken);
    expect(refreshedOnB.statusCode).toBe(200);
    const { accessToken, refreshToken } = json(refreshedOnB);

    const listed = await a.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(accessToken) });
    expect(listed.statusCode).toBe(200);
    expect(json(listed).sessions.map((session: { id: string }) => session.id)).toEqual([first.sessionId]);

    expect((await b.inject({ method: 'POST', url: '/v1/sessions/logout', headers: bearer(accessToken) })).statusCode).toBe(204);
    expect((await a.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(accessToken) })).statusCode).toBe(401);
    expect((await a.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(first.accessToken) })).statusCode).toBe(401);
    expect((await refresh(a, refreshToken)).statusCode).toBe(401);
  });

  it('should give exactly one 200 to 40 racing verifies of one code split over both instances', async () => {
    const { response, code } = await sendAndCapture(b, '+919876900002');
    const body = { verificationId: json(response).verificationId, code };
    const statuses = (await Promise.all(Array.from({ length: 40 }, (_, i) => verify(i % 2 ? a : b, body)))).map(
      (verified) => verified.statusCode,
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 404)).toHaveLength(39);
  });

  it('should log in 200 phones spread over both instances, every key under the prefix and every master holding some', async () => {
    const phones = Array.from({ length: 200 }, (_, i) => `+9198766${String(i).padStart(5, '0')}`);
    const statuses: number[] = [];
    let next = 0;
    // 20 logins at a time; each sends on one instance and verifies on the other.
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < phones.length) {
          const i = next++;
          const [sender, verifier] = i % 2 ? [a, b] : [b, a];
          statuses.push((await loginAcross(sender, verifier, phones[i])).statusCode);
        }
      }),
    );
    expect(statuses).toEqual(phones.map(() => 200));

    const keysByNode = await cluster.keysByNode();
    expect(keysByNode.map((keys) => keys.length > 0)).toEqual([true, true, true]);
    expect(keysByNode.flat().filter((key) => !key.startsWith(PREFIX))).toEqual([]);
  });

  // Last: the crash empties the cluster.
  it('should fail closed with 503 store_unavailable while the whole cluster is down, and recover by itself', async () => {
    const client = cluster.serviceClient(PREFIX, 500);
    client.on('error', () => undefined);
    await client.set('{probe}', '1');
    await cluster.crash();
    // The first command finds the connections closed; the later ones meet a Cluster with no node,
    // which parks commands in its offline queue: they too must fail within the command timeout.
    try {
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        await expect(client.get('{probe}')).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(1500);
      }
    } finally {
      client.disconnect();
    }
    for (const [i, t] of [a, b, a, b].entries()) {
      const started = Date.now();
      const response = await send(t, `+9198769010${i}`);
      expect([response.statusCode, json(response).code]).toEqual([503, 'store_unavailable']);
      expect(Date.now() - started).toBeLessThan(1500);
    }

    await cluster.restart();
    const deadline = Date.now() + 15_000;
    let verified: LightMyRequestResponse | undefined;
    while (verified?.statusCode !== 200 && Date.now() < deadline) {
      const { response, code } = await sendAndCapture(a, '+919876900005');
      if (response.statusCode === 202) verified = await verify(b, { verificationId: json(response).verificationId, code });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(verified?.statusCode).toBe(200);
  }, 30_000);
});

describeWithRedis('an instance on Redis Sentinel', () => {
  let sentinel: RedisSentinel;
  let t: TestApp;

  beforeAll(async () => {
    sentinel = await RedisSentinel.start('auth-master');
    t = await startTestApp(sharedStoreSettings({ REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: 'auth-master' }));
  });
  afterAll(async () => {
    await t?.close();
    await sentinel?.stop();
  });

  it('should log in through the master the Sentinel names, keeping its keys there under the prefix', async () => {
    const verified = await loginAcross(t, t, '+919876900006');
    expect(verified.statusCode).toBe(200);
    const master = sentinel.master.client();
    try {
      const keys = await master.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((key) => !key.startsWith(PREFIX))).toEqual([]);
    } finally {
      master.disconnect();
    }
  });
});

import type { LightMyRequestResponse } from 'fastify';
import { FakeClock } from '../support/fake-clock.js';
import { describeWithRedisCluster, RedisCluster } from '../support/redis-cluster.js';
import { describeWithRedis, RedisServer } from '../support/redis-server.js';
import { AppSettings, bearer, json, phoneSequence, refreshSession, sendCode, sharedStoreSettings, startTestApp, TestApp, verifyCode } from '../support/e2e-kit.js';
import { assertWellFormed } from '../hardening/hostile.js';

// Issue 9, item 2: races on the in-memory store (one instance), on Redis and on a 3-master Redis
// Cluster (two instances each, requests split over both). Every racing request goes out at
// once; each outcome is counted, and each answer must still be well formed.

interface Backend {
  /** Extra settings of both instances. */
  settings(): AppSettings;
  /** One instance (in-memory) or two sharing the store. */
  instances: number;
}

let redisServer: RedisServer | undefined;
let redisCluster: RedisCluster | undefined;
// Not everyStore(): the races also run on a Redis Cluster, and each backend lives for its block only.
const backends: [string, Backend, typeof describe][] = [
  ['the in-memory store', { settings: () => ({}), instances: 1 }, describe],
  ['Redis (two instances)', { settings: () => sharedStoreSettings({ REDIS_URL: redisServer!.url }), instances: 2 }, describeWithRedis],
  ['Redis Cluster (two instances)', { settings: () => sharedStoreSettings({ REDIS_CLUSTER_NODES: redisCluster!.nodes }), instances: 2 }, describeWithRedisCluster],
];

let phoneBlock = 0;

for (const [name, backend, describeOn] of backends) {
  describeOn(`races on ${name}`, () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0));
    let apps: TestApp[] = [];
    const block = String(phoneBlock++);
    const nextPhone = phoneSequence(`98772${block}`);
    const on = (i: number) => apps[i % apps.length];

    beforeAll(async () => {
      if (name.startsWith('Redis (')) redisServer = await RedisServer.start();
      if (name.startsWith('Redis Cluster')) redisCluster = await RedisCluster.start();
      const settings = { ...backend.settings(), SMS_PROVIDERS: 'outbox' };
      apps = [];
      for (let i = 0; i < backend.instances; i += 1) apps.push(await startTestApp(settings, { clock }));
    }, 30_000);
    afterAll(async () => {
      await Promise.all(apps.map((app) => app.close()));
      await redisServer?.stop();
      await redisCluster?.stop();
      redisServer = undefined;
      redisCluster = undefined;
    });

    const send = (i: number, phone: string, headers: Record<string, string> = {}) => sendCode(on(i), phone, headers);
    const verify = (i: number, body: object) => verifyCode(on(i), body);
    const refresh = (i: number, refreshToken: string) => refreshSession(on(i), refreshToken);
    const outbox = async (phone: string) =>
      json(await on(0).inject({ method: 'GET', url: `/v1/dev/outbox?phone=${encodeURIComponent(phone)}` })).messages as { text: string }[];
    const race = async <T>(count: number, request: (i: number) => Promise<T>) => Promise.all(Array.from({ length: count }, (_, i) => request(i)));
    const tally = (responses: LightMyRequestResponse[]) => {
      const counts: Record<string, number> = {};
      for (const response of responses) {
        assertWellFormed({ method: 'POST', url: '(raced)' }, response);
        const key = response.statusCode < 300 ? String(response.statusCode) : `${response.statusCode} ${json(response).code}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    };
    /** The code the instance that answered made: sends here never race with other sends on it. */
    const sendOk = async (phone: string, i = 0) => {
      const response = await send(i, phone);
      expect(response.statusCode).toBe(202);
      return { verificationId: json(response).verificationId as string, code: on(i).codes.last };
    };
    const wrongCodes = (right: string, count: number) =>
      Array.from({ length: count }, (_, i) => String((Number(right) + 1 + i * 7919) % 1_000_000).padStart(6, '0'));

    it('gives one 200 to 50 racing verifies of the right code, and opens one session', async () => {
      const { verificationId, code } = await sendOk(nextPhone());
      const responses = await race(50, (i) => verify(i, { verificationId, code }));
      expect(tally(responses)).toEqual({ '200': 1, '404 verification_not_found': 49 });
      const winner = json(responses.find((response) => response.statusCode === 200)!);
      const sessions = await on(1).inject({ method: 'GET', url: '/v1/sessions', headers: bearer(winner.accessToken) });
      expect(json(sessions).sessions).toHaveLength(1);
    });

    it('sends one SMS and makes one verification for 20 racing sends with one Idempotency-Key', async () => {
      const phone = nextPhone();
      const responses = await race(20, (i) => send(i, phone, { 'idempotency-key': `race-${phone}` }));
      expect(tally(responses)).toEqual({ '202': 20 });
      expect(new Set(responses.map((response) => json(response).verificationId)).size).toBe(1);
      expect(responses.filter((response) => response.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
      expect(await outbox(phone)).toHaveLength(1);
    });

    it('runs one of 20 racing sends that share an Idempotency-Key but not a body, and refuses the rest', async () => {
      const phones = Array.from({ length: 20 }, () => nextPhone());
      const responses = await race(20, (i) => send(i, phones[i], { 'idempotency-key': `clash-${phones[0]}` }));
      const counts = tally(responses);
      expect(counts['202']).toBe(1);
      expect((counts['422 idempotency_conflict'] ?? 0) + (counts['409 idempotency_in_flight'] ?? 0)).toBe(19);
      const sent = await Promise.all(phones.map((phone) => outbox(phone)));
      expect(sent.flat()).toHaveLength(1);
    });

    it('sends one SMS for 20 racing sends to one phone without a key, and holds the cooldown for 20 racing resends', async () => {
      const phone = nextPhone();
      const first = await race(20, (i) => send(i, phone));
      expect(tally(first)).toEqual({ '202': 1, '429 resend_too_soon': 19 });
      expect(await outbox(phone)).toHaveLength(1);

      clock.advance(30_000);
      const resent = await race(20, (i) => send(i, phone));
      expect(tally(resent)).toEqual({ '202': 1, '429 resend_too_soon': 19 });
      expect(json(resent.find((response) => response.statusCode === 202)!).verificationId).toBe(
        json(first.find((response) => response.statusCode === 202)!).verificationId,
      );
      expect(await outbox(phone)).toHaveLength(2);
    });

    it('mints at most one new pair from 20 racing refreshes of one token, and the winner\'s pair goes on', async () => {
      const { verificationId, code } = await sendOk(nextPhone());
      const session = json(await verify(0, { verificationId, code }));
      const responses = await race(20, (i) => refresh(i, session.refreshToken));
      const counts = tally(responses);
      expect(counts['200']).toBe(1);
      expect((counts['401 invalid_refresh_token'] ?? 0) + (counts['401 refresh_token_reused'] ?? 0)).toBe(19);
      // Within the reuse grace window the losers are only refused: the session survives.
      expect(counts['401 refresh_token_reused']).toBeUndefined();
      const winner = json(responses.find((response) => response.statusCode === 200)!);
      expect((await refresh(1, winner.refreshToken)).statusCode).toBe(200);
    });

    it('judges at most 5 of 100 parallel wrong guesses, and refused guesses never count towards the phone lock', async () => {
      const phone = nextPhone();
      // Four rounds of 100 parallel guesses: 5 judged each, 20 in all, which is the phone's budget.
      for (let round = 0; round < 4; round += 1) {
        const { verificationId, code } = await sendOk(phone, round);
        const guesses = wrongCodes(code, 100);
        const responses = await race(100, (i) => verify(i, { verificationId, code: guesses[i] }));
        const counts = tally(responses);
        expect(counts['400 invalid_code']).toBe(5);
        expect(counts['429 max_attempts_reached']).toBe(95);
        // Even the right code is refused now.
        expect(json(await verify(round + 1, { verificationId, code })).code).toBe('max_attempts_reached');
        clock.advance(30_000);
      }
      const locked = await send(0, phone);
      expect([locked.statusCode, json(locked).code]).toEqual([429, 'max_attempts_reached']);
      expect(await outbox(phone)).toHaveLength(4);
    }, 30_000);

    it('lets no wrong guess through while racing the right one, and spends the code once', async () => {
      const { verificationId, code } = await sendOk(nextPhone());
      const guesses = wrongCodes(code, 30);
      const responses = await race(31, (i) => verify(i, { verificationId, code: i === 15 ? code : guesses[i] }));
      const counts = tally(responses);
      // The right code wins unless five wrong ones were judged before it; nothing else is a 200.
      expect(counts['200'] ?? 0).toBeLessThanOrEqual(1);
      expect(counts['400 invalid_code'] ?? 0).toBeLessThanOrEqual(5);
      expect(responses.filter((response, i) => response.statusCode === 200 && i !== 15)).toHaveLength(0);
    });
  });
}

import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import type { AddressInfo } from 'node:net';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule as DownstreamModule } from '../../examples/downstream/src/app.module.js';
import { describeWithRedisCluster, RedisCluster } from '../support/redis-cluster.js';
import { freePort } from '../support/redis-server.js';
import { FakeClock } from '../support/fake-clock.js';
import {
  bearer,
  describeOnEveryStore,
  json,
  login,
  type LoggedIn,
  phoneSequence,
  postJson,
  sharedStoreSettings,
  startTestApp,
  type TestApp,
  testSigningKeyPem,
} from '../support/e2e-kit.js';

const OUTBOX = { SMS_PROVIDERS: 'outbox' };
const PAYMENT = { action: 'payment', amount: { currency: 'EUR', value: '50.00' }, payee: 'ACME' };

const stepUpSend = (t: TestApp, accessToken: string, body: object = PAYMENT) =>
  postJson(t, '/v1/otp/send', { purpose: 'step_up', ...body }, bearer(accessToken));
const stepUpVerify = (t: TestApp, accessToken: string, body: object) => postJson(t, '/v1/otp/verify', { purpose: 'step_up', ...body }, bearer(accessToken));
const outboxTexts = async (t: TestApp, phone: string): Promise<string[]> =>
  (json(await t.inject({ method: 'GET', url: `/v1/dev/outbox?phone=${encodeURIComponent(phone)}` })).messages as { text: string }[]).map((m) => m.text);

/** Checks a receipt as a downstream would (jose against the JWKS): its header and claims. */
async function verifiedReceipt(t: TestApp, receipt: string) {
  const jwks = json<JSONWebKeySet>(await t.inject({ method: 'GET', url: '/.well-known/jwks.json' }));
  const issuer = 'http://localhost:3000';
  return jwtVerify(receipt, createLocalJWKSet(jwks), { issuer, audience: issuer, typ: 'step-up+jwt', algorithms: ['ES256'] });
}

describeOnEveryStore('step-up verification on the $name', (store) => {
  let t: TestApp;
  let clock: FakeClock;
  const nextPhone = phoneSequence('987661');

  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    t = await startTestApp({ ...store.settings(), ...OUTBOX }, { clock });
  });
  afterEach(async () => t.close());

  it('sends the code to the session\'s phone naming the payment, and answers the right code with a receipt bound to it and no new session', async () => {
    const phone = nextPhone();
    const session = await login(t, phone);
    const sent = await stepUpSend(t, session.accessToken);
    expect(sent.statusCode).toBe(202);
    expect(json(sent).verificationId).not.toBe(session.verificationId);
    const code = t.codes.last;
    expect((await outboxTexts(t, phone))[0]).toContain(`Code ${code} to pay EUR 50.00 to ACME`);

    const verified = await stepUpVerify(t, session.accessToken, { verificationId: json(sent).verificationId, code });
    expect(verified.statusCode).toBe(200);
    expect(verified.headers['cache-control']).toBe('no-store');
    const answer = json(verified);
    expect(answer).toMatchObject({ status: 'approved', purpose: 'step_up', expiresIn: 300 });
    expect(answer).not.toHaveProperty('accessToken');
    const { payload, protectedHeader } = await verifiedReceipt(t, answer.receipt);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'step-up+jwt' });
    expect(payload).toMatchObject({ sub: session.user.id, sid: session.sessionId, amr: ['sms'], jti: answer.receiptId, ...PAYMENT });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(payload.auth_time).toBe(payload.iat);
    expect(payload).not.toHaveProperty('phone_number');

    const sessions = await t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(session.accessToken) });
    expect(json(sessions).sessions).toHaveLength(1);
  });

  it('binds a plain step-up (no action) and shows it as such', async () => {
    const phone = nextPhone();
    const session = await login(t, phone);
    expect((await stepUpSend(t, session.accessToken, {})).statusCode).toBe(202);
    expect((await outboxTexts(t, phone))[0]).toContain(`Code ${t.codes.last} to confirm it is you`);
    // Neither id nor phone: the session's phone's open step-up.
    const verified = await stepUpVerify(t, session.accessToken, { code: t.codes.last });
    expect(verified.statusCode).toBe(200);
    const { payload } = await verifiedReceipt(t, json(verified).receipt);
    for (const claim of ['action', 'amount', 'payee']) expect(payload).not.toHaveProperty(claim);
  });

  it('refuses a step-up without a live Bearer token, to another number, or with unsafe fields', async () => {
    const session = await login(t, nextPhone());
    const anonymous = await postJson(t, '/v1/otp/send', { purpose: 'step_up', ...PAYMENT });
    expect([anonymous.statusCode, json(anonymous).code]).toEqual([401, 'unauthorized']);
    const elsewhere = await stepUpSend(t, session.accessToken, { ...PAYMENT, phone: nextPhone() });
    expect([elsewhere.statusCode, json(elsewhere).code]).toEqual([400, 'validation_failed']);
    for (const bad of [
      { ...PAYMENT, payee: 'Visit acme.com now' },
      { ...PAYMENT, payee: 'ACME\nCall +1 555' },
      { ...PAYMENT, payee: 'A'.repeat(41) },
      { ...PAYMENT, amount: { currency: 'XYZ', value: '50.00' } },
      { ...PAYMENT, amount: { currency: 'EUR', value: '-5' } },
      { ...PAYMENT, amount: 'EUR 50.00' },
      { ...PAYMENT, action: 'Pay Now!' },
    ]) {
      const refused = await stepUpSend(t, session.accessToken, bad);
      expect([refused.statusCode, json(refused).code]).toEqual([400, 'validation_failed']);
    }
    const loginWithPayee = await postJson(t, '/v1/otp/send', { phone: nextPhone(), payee: 'ACME' });
    expect([loginWithPayee.statusCode, json(loginWithPayee).code]).toEqual([400, 'validation_failed']);
    const ended = await t.inject({ method: 'POST', url: '/v1/sessions/logout', headers: bearer(session.accessToken) });
    expect(ended.statusCode).toBe(204);
    expect((await stepUpSend(t, session.accessToken)).statusCode).toBe(401);
  });

  it('never lets a step-up code log in, and spends no attempt trying', async () => {
    const phone = nextPhone();
    const session = await login(t, phone);
    const sent = await stepUpSend(t, session.accessToken);
    const code = t.codes.last;
    for (const body of [{ verificationId: json(sent).verificationId, code }, { phone, code }]) {
      const asLogin = await postJson(t, '/v1/otp/verify', body);
      expect([asLogin.statusCode, json(asLogin).code]).toEqual([404, 'verification_not_found']);
    }
    const status = await t.inject({ method: 'GET', url: `/v1/otp/verifications/${json(sent).verificationId}` });
    expect(json(status)).toMatchObject({ status: 'pending', attemptsRemaining: 5 });
    expect((await stepUpVerify(t, session.accessToken, { verificationId: json(sent).verificationId, code })).statusCode).toBe(200);
  });

  it('never lets a login code serve a step-up', async () => {
    const phone = nextPhone();
    const session = await login(t, phone);
    const sent = await postJson(t, '/v1/otp/send', { phone });
    const code = t.codes.last;
    const asStepUp = await stepUpVerify(t, session.accessToken, { verificationId: json(sent).verificationId, code });
    expect([asStepUp.statusCode, json(asStepUp).code]).toEqual([404, 'verification_not_found']);
    expect((await postJson(t, '/v1/otp/verify', { verificationId: json(sent).verificationId, code })).statusCode).toBe(200);
  });

  it('accepts the code only from the session that asked for it', async () => {
    const phone = nextPhone();
    const first = await login(t, phone);
    const second: LoggedIn = await login(t, phone);
    expect(second.user.id).toBe(first.user.id);
    const sent = await stepUpSend(t, first.accessToken);
    const code = t.codes.last;
    const fromOther = await stepUpVerify(t, second.accessToken, { verificationId: json(sent).verificationId, code });
    expect([fromOther.statusCode, json(fromOther).code]).toEqual([404, 'verification_not_found']);
    const anonymous = await postJson(t, '/v1/otp/verify', { purpose: 'step_up', verificationId: json(sent).verificationId, code });
    expect([anonymous.statusCode, json(anonymous).code]).toEqual([401, 'unauthorized']);
    expect((await stepUpVerify(t, first.accessToken, { verificationId: json(sent).verificationId, code })).statusCode).toBe(200);
  });

  it('keeps the verification on a resend for another amount, and the receipt names the amount of the last text', async () => {
    const phone = nextPhone();
    const session = await login(t, phone);
    const first = await stepUpSend(t, session.accessToken);
    expect(first.statusCode).toBe(202);
    const firstCode = t.codes.last;
    const sixty = { ...PAYMENT, amount: { currency: 'EUR', value: '60.00' } };
    const tooSoon = await stepUpSend(t, session.accessToken, sixty);
    expect([tooSoon.statusCode, json(tooSoon).code]).toEqual([429, 'resend_too_soon']);
    clock.advance(31_000);
    const resent = await stepUpSend(t, session.accessToken, sixty);
    expect(resent.statusCode).toBe(202);
    expect(json(resent).verificationId).toBe(json(first).verificationId);
    expect((await outboxTexts(t, phone))[0]).toContain(`Code ${t.codes.last} to pay EUR 60.00 to ACME`);
    if (firstCode !== t.codes.last) {
      const old = await stepUpVerify(t, session.accessToken, { code: firstCode });
      expect(json(old).code).toBe('invalid_code');
    }
    const verified = await stepUpVerify(t, session.accessToken, { verificationId: json(first).verificationId, code: t.codes.last });
    const { payload } = await verifiedReceipt(t, json(verified).receipt);
    expect(payload.amount).toEqual({ currency: 'EUR', value: '60.00' });
  });

  it('is no access token, and an access token is no receipt', async () => {
    const session = await login(t, nextPhone());
    await stepUpSend(t, session.accessToken);
    const receipt = json(await stepUpVerify(t, session.accessToken, { code: t.codes.last })).receipt as string;
    expect(decodeProtectedHeader(receipt).typ).toBe('step-up+jwt');
    const asAccess = await t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(receipt) });
    expect([asAccess.statusCode, json(asAccess).code]).toEqual([401, 'unauthorized']);
    await expect(verifiedReceipt(t, session.accessToken)).rejects.toThrow();
  });
});

describeWithRedisCluster('step-up verification on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  let t: TestApp;
  const nextPhone = phoneSequence('987662');

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    t = await startTestApp({ ...sharedStoreSettings({ REDIS_CLUSTER_NODES: cluster.nodes }), ...OUTBOX });
  });
  afterAll(async () => {
    await t?.close();
    await cluster?.stop();
  });

  it('binds the code to its session and purpose, and answers with a receipt', async () => {
    const phone = nextPhone();
    const session = await login(t, phone);
    const sent = await stepUpSend(t, session.accessToken);
    const code = t.codes.last;
    const asLogin = await postJson(t, '/v1/otp/verify', { phone, code });
    expect(json(asLogin).code).toBe('verification_not_found');
    const verified = await stepUpVerify(t, session.accessToken, { verificationId: json(sent).verificationId, code });
    expect(verified.statusCode).toBe(200);
    const jwks = json<JSONWebKeySet>(await t.inject({ method: 'GET', url: '/.well-known/jwks.json' }));
    const { payload } = await jwtVerify(json(verified).receipt, createLocalJWKSet(jwks), { typ: 'step-up+jwt' });
    expect(payload).toMatchObject({ sub: session.user.id, sid: session.sessionId, ...PAYMENT });
  });
});

describe('the downstream example checking step-up receipts', () => {
  let t: TestApp;
  let downstream: NestFastifyApplication;
  let publicUrl: string;
  const nextPhone = phoneSequence('987663');

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    t = await startTestApp({ PUBLIC_URL: publicUrl, JWT_PRIVATE_KEY: testSigningKeyPem(), ...OUTBOX });
    await t.app.listen(port, '127.0.0.1');
    expect((t.app.getHttpServer().address() as AddressInfo).port).toBe(port);
    const moduleRef = await Test.createTestingModule({
      imports: [DownstreamModule.forRoot({ issuer: publicUrl, audience: publicUrl })],
    }).compile();
    downstream = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await downstream.init();
    await downstream.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await downstream?.close();
    await t?.close();
  });

  const pay = (accessToken: string, receipt: string | undefined, body: object = { amount: PAYMENT.amount, payee: PAYMENT.payee }) =>
    downstream.getHttpAdapter().getInstance().inject({
      method: 'POST',
      url: '/payments',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', ...(receipt ? { 'x-step-up-receipt': receipt } : {}) },
      payload: JSON.stringify(body),
    });

  /** A step-up for `binding` by `session`: the receipt. */
  async function receiptFor(session: LoggedIn, binding: object = PAYMENT): Promise<string> {
    expect((await stepUpSend(t, session.accessToken, binding)).statusCode).toBe(202);
    const verified = await stepUpVerify(t, session.accessToken, { code: t.codes.last });
    expect(verified.statusCode).toBe(200);
    return json(verified).receipt as string;
  }

  it('accepts a receipt for this payment once, and refuses its replay', async () => {
    const session = await login(t, nextPhone());
    const receipt = await receiptFor(session);
    const paid = await pay(session.accessToken, receipt);
    expect(paid.statusCode).toBe(201);
    expect(json(paid)).toMatchObject({ status: 'paid', amount: PAYMENT.amount, payee: 'ACME' });
    const replay = await pay(session.accessToken, receipt);
    expect(replay.statusCode).toBe(403);
    expect(json(replay).message).toContain('already used');
  });

  it('refuses a receipt for another amount, payee or action, without spending it', async () => {
    const session = await login(t, nextPhone());
    const receipt = await receiptFor(session);
    for (const body of [
      { amount: { currency: 'EUR', value: '500.00' }, payee: 'ACME' },
      { amount: { currency: 'USD', value: '50.00' }, payee: 'ACME' },
      { amount: PAYMENT.amount, payee: 'Mallory' },
    ]) {
      const other = await pay(session.accessToken, receipt, body);
      expect(other.statusCode).toBe(403);
      expect(json(other).message).toContain('another action');
    }
    const transfer = await receiptFor(session, { ...PAYMENT, action: 'transfer' });
    expect((await outboxTexts(t, session.user.phone))[0]).toContain('to confirm transfer of EUR 50.00 to ACME');
    expect(json(await pay(session.accessToken, transfer)).message).toContain('another action');
    expect((await pay(session.accessToken, receipt)).statusCode).toBe(201);
  });

  it('refuses someone else\'s receipt, an access token as a receipt, a receipt as an access token, and none at all', async () => {
    const mine = await login(t, nextPhone());
    const theirs = await login(t, nextPhone());
    const receipt = await receiptFor(theirs);
    expect(json(await pay(mine.accessToken, receipt)).message).toContain('someone else');
    expect((await pay(mine.accessToken, mine.accessToken)).statusCode).toBe(403);
    expect((await pay(mine.accessToken, undefined)).statusCode).toBe(403);
    expect((await pay(receipt, receipt)).statusCode).toBe(401);
    const me = await downstream.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${receipt}` } });
    expect(me.statusCode).toBe(401);
    expect((await pay(theirs.accessToken, receipt)).statusCode).toBe(201);
  });
});

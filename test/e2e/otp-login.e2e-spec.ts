import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { FakeClock } from '../support/fake-clock.js';
import { describeOnEveryStore, json, phoneSequence, postJson, sendCode, startTestApp, TestApp } from '../support/e2e-kit.js';

const PHONE = '+919876543210';

describeOnEveryStore('phone login on the $name', (store) => {
  let t: TestApp;
  let clock: FakeClock;
  // A fresh phone per test keeps tests independent on a shared store.
  const nextPhone = phoneSequence('987654', 3000);

  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    t = await startTestApp(store.settings(), { clock });
  });
  afterEach(async () => t.close());

  const send = (body: unknown) => postJson(t, '/v1/otp/send', JSON.stringify(body));
  const verify = (body: unknown) => postJson(t, '/v1/otp/verify', JSON.stringify(body));
  const sendOk = async (phone: string) => {
    const response = await send({ phone });
    expect(response.statusCode).toBe(202);
    return json(response);
  };

  it('logs in end to end: send, verify, and a token that verifies against the JWKS', async () => {
    const sent = await send({ phone: PHONE });
    expect(sent.statusCode).toBe(202);
    const body = json(sent);
    expect(body).toEqual({
      verificationId: expect.stringMatching(/^[A-Za-z0-9_-]{38}$/),
      status: 'pending',
      phone: PHONE,
      channel: 'sms',
      channels: ['sms'],
      expiresAt: new Date(clock.nowMs() + 300_000).toISOString(),
      resendAvailableAt: new Date(clock.nowMs() + 30_000).toISOString(),
      attemptsRemaining: 5,
    });

    const verified = await verify({ verificationId: body.verificationId, code: t.codes.last });
    expect(verified.statusCode).toBe(200);
    expect(verified.headers['cache-control']).toBe('no-store');
    const tokens = json(verified);
    expect(tokens).toEqual({
      status: 'approved',
      tokenType: 'Bearer',
      accessToken: expect.any(String),
      expiresIn: 600,
      refreshToken: expect.stringMatching(/^ses_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{70}$/),
      refreshExpiresIn: 2592000,
      sessionId: expect.stringMatching(/^ses_/),
      user: { id: expect.stringMatching(/^usr_/), phone: PHONE },
    });
    expect(tokens.refreshToken.startsWith(`${tokens.sessionId}.`)).toBe(true);

    const jwks = await t.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwks.statusCode).toBe(200);
    const keySet = json<{ keys: Record<string, string>[] }>(jwks);
    const header = decodeProtectedHeader(tokens.accessToken);
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: keySet.keys[0].kid });
    expect(await calculateJwkThumbprint(keySet.keys[0] as never, 'sha256')).toBe(header.kid);
    const { payload } = await jwtVerify(tokens.accessToken, createLocalJWKSet(keySet as never), {
      issuer: 'http://localhost:3000',
      audience: 'http://localhost:3000',
      typ: 'at+jwt',
      algorithms: ['ES256'],
      currentDate: new Date(clock.nowMs()),
    });
    const iat = Math.floor(clock.nowMs() / 1000);
    expect(payload).toEqual({
      iss: 'http://localhost:3000',
      aud: 'http://localhost:3000',
      sub: tokens.user.id,
      sid: tokens.sessionId,
      jti: expect.any(String),
      iat,
      exp: iat + 600,
      auth_time: iat,
      amr: ['sms'],
      phone_number: PHONE,
      phone_number_verified: true,
    });
  });

  it('gives the same user id to the same phone on every login', async () => {
    const phone = nextPhone();
    const ids: string[] = [];
    for (let login = 0; login < 2; login += 1) {
      const { verificationId } = await sendOk(phone);
      ids.push(json(await verify({ verificationId, code: t.codes.last })).user.id);
      clock.advance(1000);
    }
    expect(ids[0]).toBe(ids[1]);
  });

  it('answers a wrong code with 400 invalid_code and the attempts left', async () => {
    const { verificationId } = await sendOk(nextPhone());
    const wrong = await verify({ verificationId, code: t.codes.last === '000000' ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(json(wrong)).toEqual({
      type: 'http://localhost:3000/problems/invalid-code',
      title: 'Invalid code',
      status: 400,
      detail: 'The code is not correct.',
      code: 'invalid_code',
      attemptsRemaining: 4,
    });
  });

  it('refuses the sixth attempt with max_attempts_reached, even with the right code', async () => {
    const { verificationId } = await sendOk(nextPhone());
    const wrongCode = t.codes.last === '000000' ? '111111' : '000000';
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const response = await verify({ verificationId, code: wrongCode });
      expect(json(response)).toMatchObject({ code: 'invalid_code', attemptsRemaining: 5 - attempt });
    }
    clock.advance(10_000);
    const sixth = await verify({ verificationId, code: t.codes.last });
    expect(sixth.statusCode).toBe(429);
    // A new code may be asked for once the 30 s cooldown of the last send has passed.
    expect(sixth.headers['retry-after']).toBe('20');
    expect(json(sixth)).toMatchObject({ code: 'max_attempts_reached', attemptsRemaining: 0 });
  });

  it('never accepts a used code again', async () => {
    const { verificationId } = await sendOk(nextPhone());
    const code = t.codes.last;
    expect((await verify({ verificationId, code })).statusCode).toBe(200);
    const again = await verify({ verificationId, code });
    expect(again.statusCode).toBe(404);
    expect(json(again).code).toBe('verification_not_found');
  });

  it('verifies by phone number, national format with a country', async () => {
    await sendOk('+919876543210'.replace('3210', '4444'));
    const response = await verify({ phone: '98765 44444', country: 'IN', code: t.codes.last });
    expect(response.statusCode).toBe(200);
    expect(json(response).user.phone).toBe('+919876544444');
  });

  it('resends to the same verification with a new code, keeping its failed attempts', async () => {
    const phone = nextPhone();
    const first = await sendOk(phone);
    const firstCode = t.codes.last;
    const wrong = await verify({ verificationId: first.verificationId, code: firstCode === '000000' ? '111111' : '000000' });
    expect(json(wrong).attemptsRemaining).toBe(4);

    const early = await send({ phone });
    expect(early.statusCode).toBe(429);
    expect(early.headers['retry-after']).toBe('30');
    expect(json(early).code).toBe('resend_too_soon');

    clock.advance(30_000);
    const second = await sendOk(phone);
    expect(second.verificationId).toBe(first.verificationId);
    expect(second.attemptsRemaining).toBe(4);
    const secondCode = t.codes.last;
    if (secondCode !== firstCode) {
      expect(json(await verify({ verificationId: first.verificationId, code: firstCode })).attemptsRemaining).toBe(3);
    }
    expect((await verify({ verificationId: first.verificationId, code: secondCode })).statusCode).toBe(200);
  });

  it('expires a code after its TTL', async () => {
    const { verificationId } = await sendOk(nextPhone());
    clock.advance(300_000);
    const late = await verify({ verificationId, code: t.codes.last });
    expect(late.statusCode).toBe(410);
    expect(json(late).code).toBe('verification_expired');
    const status = await t.inject({ method: 'GET', url: `/v1/otp/verifications/${verificationId}` });
    expect(json(status).status).toBe('expired');
  });

  it('reports and cancels a verification', async () => {
    const phone = nextPhone();
    const { verificationId } = await sendOk(phone);
    const status = await t.inject({ method: 'GET', url: `/v1/otp/verifications/${verificationId}` });
    expect(status.statusCode).toBe(200);
    expect(json(status)).toEqual({
      verificationId,
      status: 'pending',
      phone: `+91******${phone.slice(-4)}`,
      channel: 'sms',
      expiresAt: new Date(clock.nowMs() + 300_000).toISOString(),
      attemptsRemaining: 5,
      delivery: { status: 'unknown', provider: null, at: null, autoResent: false },
    });
    const canceled = await t.inject({ method: 'DELETE', url: `/v1/otp/verifications/${verificationId}` });
    expect(json(canceled).status).toBe('canceled');
    expect((await verify({ verificationId, code: t.codes.last })).statusCode).toBe(404);
    const unknown = await t.inject({ method: 'GET', url: `/v1/otp/verifications/${'A'.repeat(38)}` });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown).code).toBe('verification_not_found');
  });

  it.each([
    ['a number too short', { phone: '+91987' }],
    ['letters', { phone: '+91abcdefghij' }],
    ['national input without a country', { phone: '9876543210' }],
    ['an unassigned range', { phone: '+10005550123' }],
  ])('answers a send with %s with 400 invalid_phone', async (_name, body) => {
    const response = await send(body);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(json(response).code).toBe('invalid_phone');
  });

  it.each([
    ['malformed JSON', '{"phone":', 'application/json'],
    ['a number for the phone', '{"phone":9876543210}', 'application/json'],
    ['an array for the phone', '{"phone":["+919876543210"]}', 'application/json'],
    ['an unknown field', '{"phone":"+919876543210","admin":true}', 'application/json'],
    ['an array body', '[]', 'application/json'],
    ['a string body', '"+919876543210"', 'application/json'],
    ['an empty JSON body', '', 'application/json'],
    ['a bad country', '{"phone":"9876543210","country":"India"}', 'application/json'],
    ['an unknown channel', '{"phone":"+919876543210","channel":"pigeon"}', 'application/json'],
  ])('answers a send with %s with 400 validation_failed', async (_name, payload, contentType) => {
    const response = await t.inject({ method: 'POST', url: '/v1/otp/send', headers: { 'content-type': contentType }, payload });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = json(response);
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed', title: 'Validation failed' });
    expect(JSON.stringify(problem)).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('answers a text/plain body with 415 and an oversized body with 413', async () => {
    const text = await t.inject({ method: 'POST', url: '/v1/otp/send', headers: { 'content-type': 'text/plain' }, payload: 'hi' });
    expect([text.statusCode, json(text).code]).toEqual([415, 'unsupported_media_type']);
    const huge = await send({ phone: PHONE, padding: 'x'.repeat(64 * 1024) });
    expect([huge.statusCode, json(huge).code]).toEqual([413, 'payload_too_large']);
  });

  it('answers an unknown route with a problem+json 404 that does not echo the URL', async () => {
    const response = await t.inject({ method: 'GET', url: '/v1/nothing-here?access_token=eyJsecret' });
    expect([response.statusCode, json(response).code]).toEqual([404, 'not_found']);
    expect(response.body).not.toContain('eyJsecret');
  });

  it('locks a phone after its budget of wrong codes, across verifications, with Retry-After', async () => {
    await t.close();
    t = await startTestApp({ ...store.settings(), OTP_PHONE_MAX_FAILURES: '6' }, { clock });
    const phone = nextPhone();
    const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');
    const first = await sendOk(phone);
    for (let attempt = 0; attempt < 5; attempt += 1) await verify({ verificationId: first.verificationId, code: wrongFor(t.codes.last) });
    clock.advance(30_000);
    const second = await sendOk(phone);
    expect(second.verificationId).not.toBe(first.verificationId);
    expect(json(await verify({ verificationId: second.verificationId, code: wrongFor(t.codes.last) })).code).toBe('invalid_code');
    const locked = await verify({ verificationId: second.verificationId, code: t.codes.last });
    expect(locked.statusCode).toBe(429);
    expect(json(locked).code).toBe('max_attempts_reached');
    expect(locked.headers['retry-after']).toBe(String(86400 - 30));
    clock.advance(30_000);
    expect(json(await send({ phone })).code).toBe('max_attempts_reached');
  });

  it.each([
    ['letters in the code', { code: '12a456' }],
    ['a code one digit short', { code: '12345' }],
    ['a number for the code', { code: 123456 }],
    ['both verificationId and phone', { code: '123456', phone: '+919876543210' }],
  ])('answers a verify with %s with 400 validation_failed, costing no attempt', async (_name, extra) => {
    const { verificationId } = await sendOk(nextPhone());
    const response = await verify({ verificationId, ...extra });
    expect(response.statusCode).toBe(400);
    expect(json(response).code).toBe('validation_failed');
    const status = await t.inject({ method: 'GET', url: `/v1/otp/verifications/${verificationId}` });
    expect(json(status).attemptsRemaining).toBe(5);
  });

  it('never logs a code, a token or a full phone number', async () => {
    const phone = nextPhone();
    const { verificationId } = await sendOk(phone);
    const code = t.codes.last;
    await verify({ verificationId, code: code === '000000' ? '111111' : '000000' });
    const tokens = json(await verify({ verificationId, code }));
    expect(tokens.accessToken).toBeDefined();
    const logs = t.logs.lines.join('\n');
    expect(logs).toContain(`+91******${phone.slice(-4)}`);
    for (const secret of [phone, phone.slice(1), tokens.accessToken, tokens.refreshToken.split('.')[1]]) {
      expect(logs).not.toContain(secret);
    }
    // The development-only console provider prints the code, and only that line may hold it.
    expect(t.logs.lines.filter((line) => line.includes(code)).every((line) => line.includes('[development only]'))).toBe(true);
  });
});

describe('the development outbox', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('lists what the outbox provider sent, code included', async () => {
    t = await startTestApp({ SMS_PROVIDERS: 'outbox' });
    await sendCode(t, PHONE);
    const outbox = await t.inject({ method: 'GET', url: `/v1/dev/outbox?phone=${encodeURIComponent(PHONE)}` });
    expect(outbox.statusCode).toBe(200);
    const { messages } = json(outbox);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: PHONE, text: expect.stringContaining(t.codes.last) });
    expect(t.logs.lines.join('\n')).not.toContain(t.codes.last);
  });

  it('does not exist unless the outbox provider is configured', async () => {
    t = await startTestApp({ SMS_PROVIDERS: 'console' });
    const outbox = await t.inject({ method: 'GET', url: `/v1/dev/outbox?phone=${encodeURIComponent(PHONE)}` });
    expect([outbox.statusCode, json(outbox).code]).toEqual([404, 'not_found']);
  });
});

import type { LightMyRequestResponse } from 'fastify';
import { FakeClock } from '../support/fake-clock.js';
import { describeOnEveryStore, json, login, refreshSession, sendCode, startTestApp, TestApp, verifyCode } from '../support/e2e-kit.js';

// Issue 9, item 5: no account-enumeration oracle. A phone that has logged in before and one that
// never has get the same status, the same body shape (same keys, same types) and the same headers
// from send, and the same refusals from verify. (Send never reads the user record, so its timing
// cannot differ by construction either.)

/** Keys and JSON types, recursively: what a client could tell apart without reading values. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, item]) => [key, shape(item)]));
  }
  return value === null ? 'null' : typeof value;
}

/** Header names, without the ones that differ per request anyway. */
const headerNames = (response: LightMyRequestResponse) =>
  Object.keys(response.headers)
    .filter((name) => !['date', 'x-request-id', 'content-length'].includes(name))
    .sort();

describeOnEveryStore('no oracle on the $name', (store) => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0));
  let t: TestApp;
  let block = 0;
  const phonePair = () => {
    block += 1;
    return { known: `+9198776${block}0001`, unknown: `+9198776${block}0002` };
  };
  const send = (phone: string) => sendCode(t, phone);
  const verify = (body: object) => verifyCode(t, body);
  const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

  /** Logs `phone` in once and moves past the resend cooldown: the phone is now a known user. */
  async function makeKnown(phone: string): Promise<{ userId: string }> {
    const verified = await login(t, phone);
    expect(verified.user.id).toMatch(/^usr_/);
    clock.advance(31_000);
    return { userId: verified.user.id };
  }

  function expectSameAnswer(a: LightMyRequestResponse, b: LightMyRequestResponse, { sameBody = false } = {}) {
    expect(a.statusCode).toBe(b.statusCode);
    expect(shape(json(a))).toEqual(shape(json(b)));
    expect(headerNames(a)).toEqual(headerNames(b));
    if (sameBody) expect(a.body).toBe(b.body);
  }

  beforeAll(async () => {
    t = await startTestApp(store.settings(), { clock });
  });
  afterAll(async () => t?.close());

  it('answers send alike for a phone that logged in before and one that never did', async () => {
    const { known, unknown } = phonePair();
    await makeKnown(known);
    const [forKnown, forUnknown] = [await send(known), await send(unknown)];
    expectSameAnswer(forKnown, forUnknown);
    expect(forKnown.statusCode).toBe(202);
    const [a, b] = [json(forKnown), json(forUnknown)];
    expect([a.status, a.attemptsRemaining, a.expiresAt, a.resendAvailableAt, a.verificationId.length]).toEqual([
      b.status,
      b.attemptsRemaining,
      b.expiresAt,
      b.resendAvailableAt,
      b.verificationId.length,
    ]);
    // The resend right after: refused alike.
    expectSameAnswer(await send(known), await send(unknown), { sameBody: true });
  });

  it('answers a wrong code alike, by id and by phone', async () => {
    const { known, unknown } = phonePair();
    await makeKnown(known);
    const idKnown = json(await send(known)).verificationId;
    const codeKnown = t.codes.last;
    const idUnknown = json(await send(unknown)).verificationId;
    const codeUnknown = t.codes.last;
    expectSameAnswer(await verify({ verificationId: idKnown, code: wrong(codeKnown) }), await verify({ verificationId: idUnknown, code: wrong(codeUnknown) }), {
      sameBody: true,
    });
    expectSameAnswer(await verify({ phone: known, code: wrong(codeKnown) }), await verify({ phone: unknown, code: wrong(codeUnknown) }), { sameBody: true });
  });

  it('answers verify by phone alike for a known and a never-seen phone with nothing pending', async () => {
    const { known, unknown } = phonePair();
    await makeKnown(known);
    const [a, b] = [await verify({ phone: known, code: '123456' }), await verify({ phone: unknown, code: '123456' })];
    expectSameAnswer(a, b, { sameBody: true });
    expect([a.statusCode, json(a).code]).toEqual([404, 'verification_not_found']);
  });

  it('answers verify and status alike for a used id, a canceled id and an id never issued', async () => {
    const { known, unknown } = phonePair();
    const used = json(await send(known)).verificationId;
    await verify({ verificationId: used, code: t.codes.last });
    const canceled = json(await send(unknown)).verificationId;
    await t.inject({ method: 'DELETE', url: `/v1/otp/verifications/${canceled}` });
    const never = `${used.slice(0, 16)}${'A'.repeat(22)}`;
    const answers = await Promise.all([used, canceled, never].map((verificationId) => verify({ verificationId, code: '123456' })));
    for (const answer of answers) expectSameAnswer(answer, answers[0], { sameBody: true });
    expect(json(answers[0]).code).toBe('verification_not_found');
  });

  it('refuses a refresh token alike for a live session with a wrong secret and a session that never was', async () => {
    const { known } = phonePair();
    const session = await login(t, known);
    const refresh = (refreshToken: string) => refreshSession(t, refreshToken);
    const wrongSecret = await refresh(`${session.sessionId}.${'A'.repeat(43)}`);
    const noSession = await refresh(`ses_${'B'.repeat(22)}.${'A'.repeat(43)}`);
    expectSameAnswer(wrongSecret, noSession, { sameBody: true });
    expect(json(wrongSecret).code).toBe('invalid_refresh_token');
  });

  // Known limitation (SECURITY.md): verify-by-phone answers invalid_code while a code is pending
  // and verification_not_found otherwise, so it tells whether someone asked for a code for that
  // number in the last minutes (never whether the number has an account). Pinned so that a change
  // is a conscious one.
  it('reveals through verify-by-phone only whether a code is pending, not whether the phone is known', async () => {
    const { known, unknown } = phonePair();
    await makeKnown(known);
    expect(json(await verify({ phone: unknown, code: '123456' })).code).toBe('verification_not_found');
    await send(unknown);
    expect(json(await verify({ phone: unknown, code: wrong(t.codes.last) })).code).toBe('invalid_code');
  });
});

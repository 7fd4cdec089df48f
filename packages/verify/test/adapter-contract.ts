import type { VerifierOptions } from '@phone-auth/verify';
import type { LoggedIn } from '../../../test/support/e2e-kit.js';
import { decode, INTROSPECTION_API_KEY, PhoneAuthFixture } from './phone-auth.fixture.js';

/** What an adapter answered for GET /me, a route it guards that returns `{ sub, phone_number }` of the claims. */
export interface Answer {
  status: number;
  wwwAuthenticate: string | null;
  body: string;
}

export interface GuardedApp {
  me(authorization?: string): Promise<Answer>;
  close(): Promise<void>;
}

/** One framework adapter: starts an app whose GET /me it guards, configured with `options`. */
export interface AdapterHarness {
  start(options: VerifierOptions): Promise<GuardedApp>;
}

const FORGERIES = [
  'for another audience',
  'of another issuer',
  'that expired an hour ago',
  'typed JWT',
  'signed with alg none',
  'signed HS256 with the public key as secret',
];
// Short, so the rotation test need not wait the default 30 s; the default is tested in test/e2e/downstream.e2e-spec.ts.
const COOLDOWN_MS = 300;
const PHONE = '+919876543210';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * The behaviour every adapter shares, against a real phone-auth over HTTP: a real access token
 * passes with its claims; everything else is 401 with the RFC 6750 challenge and a body that never
 * echoes the token; a rotated key is picked up through a JWKS refetch; introspection makes a
 * logout take effect at once.
 */
export function adapterContract(harness: AdapterHarness): void {
  let phoneAuth: PhoneAuthFixture;
  let app: GuardedApp;
  let session: LoggedIn;
  let forged: Record<string, string>;

  const expectRefused = async (token: string | undefined, challenge = 'Bearer error="invalid_token"') => {
    const answer = await app.me(token === undefined ? undefined : `Bearer ${token}`);
    expect(answer.status).toBe(401);
    expect(answer.wwwAuthenticate).toBe(challenge);
    if (token) expect(answer.body).not.toContain(token);
  };

  beforeAll(async () => {
    phoneAuth = await PhoneAuthFixture.start();
    session = await phoneAuth.login(PHONE);
    forged = await phoneAuth.forgeries(session.accessToken);
    app = await harness.start({ issuer: phoneAuth.issuer, audience: phoneAuth.issuer, jwks: { cooldownMs: COOLDOWN_MS } });
  });
  afterAll(async () => {
    await app?.close();
    await phoneAuth?.close();
  });

  it('accepts a real access token, with its claims, fetching the JWKS once for many requests', async () => {
    for (let request = 0; request < 3; request += 1) {
      const answer = await app.me(`Bearer ${session.accessToken}`);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ sub: session.user.id, phone_number: PHONE });
    }
    expect(phoneAuth.jwksHits).toHaveLength(1);
  });

  it('accepts a token re-signed by hand with the published key (the control for the forgeries)', async () => {
    const answer = await app.me(`Bearer ${phoneAuth.resign(session.accessToken, { payload: { jti: 'hand-signed' } })}`);
    expect(answer.status).toBe(200);
  });

  it('answers a request without a bearer token with 401 and a bare Bearer challenge', async () => {
    await expectRefused(undefined, 'Bearer');
    expect((await app.me(`Basic ${session.accessToken}`)).wwwAuthenticate).toBe('Bearer');
  });

  it('refuses a real step-up receipt as an access token (wrong typ)', async () => {
    const receipt = await phoneAuth.receipt(session);
    expect(decode(receipt).header.typ).toBe('step-up+jwt');
    await expectRefused(receipt);
  });

  it.each(FORGERIES)('refuses a token %s', async (name) => {
    await expectRefused(forged[name]);
  });

  it('refuses the token of a logged-out session at once with introspection, which offline validation still accepts', async () => {
    const introspecting = await harness.start({
      issuer: phoneAuth.issuer,
      audience: phoneAuth.issuer,
      introspection: { clientSecret: INTROSPECTION_API_KEY },
    });
    try {
      const other = await phoneAuth.login();
      expect((await introspecting.me(`Bearer ${other.accessToken}`)).status).toBe(200);
      await phoneAuth.logout(other.accessToken);
      const after = await introspecting.me(`Bearer ${other.accessToken}`);
      expect(after.status).toBe(401);
      expect(after.wwwAuthenticate).toBe('Bearer error="invalid_token"');
      expect((await app.me(`Bearer ${other.accessToken}`)).status).toBe(200);
    } finally {
      await introspecting.close();
    }
  });

  it('accepts a token of a rotated key: its unknown kid refetches the JWKS once the cooldown has passed', async () => {
    const lastFetch = Math.max(...phoneAuth.jwksHits);
    await phoneAuth.rotate();
    const rotated = await phoneAuth.login(PHONE);
    expect(decode(rotated.accessToken).header.kid).not.toBe(decode(session.accessToken).header.kid);
    await sleep(lastFetch + COOLDOWN_MS + 50 - Date.now());

    const answer = await app.me(`Bearer ${rotated.accessToken}`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ sub: rotated.user.id, phone_number: PHONE });
    expect(phoneAuth.jwksHits).toHaveLength(1);
    // The old key is gone from the refetched set.
    await expectRefused(session.accessToken);
  });
}

import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule as DownstreamModule } from '../../examples/downstream/src/app.module.js';
import type { PhoneAuthModuleOptions } from '@phone-auth/verify/nest';
import { FakeClock } from '../support/fake-clock.js';
import { freePort } from '../support/redis-server.js';
import { AppSettings, json, login, startTestApp, testSigningKeyPem } from '../support/e2e-kit.js';

// phone-auth on a real port and the downstream example validating its tokens over HTTP, as in
// production. The tests run in order: the last ones move the example's clock past the key-set
// cooldown and restart phone-auth with a new key.

const PHONE = '+919876543210';
const REFUSED = { statusCode: 401, error: 'Unauthorized', message: 'The access token is missing, invalid or expired.' };
const COOLDOWN_MS = 30_000;

type Jwt = { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string };

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(token: string): Jwt {
  const [header, payload, signature] = token.split('.');
  const parse = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: parse(header), payload: parse(payload), signature };
}

function signEs256(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

function thumbprint(key: KeyObject): string {
  const { crv, kty, x, y } = createPublicKey(key).export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

/** Boots phone-auth on `port`, counting the requests its JWKS receives at the HTTP server. */
async function startPhoneAuth(port: number, settings: AppSettings) {
  const t = await startTestApp({ PUBLIC_URL: `http://127.0.0.1:${port}`, ...settings });
  const jwksHits: number[] = [];
  // Fastify takes no hooks once ready (startTestApp readies it); a second 'request' listener on
  // the Node server sees every request without answering it.
  t.app.getHttpServer().on('request', (request: { url?: string }) => {
    if (request.url === '/.well-known/jwks.json') jwksHits.push(Date.now());
  });
  await t.app.listen(port, '127.0.0.1');
  expect((t.app.getHttpServer().address() as AddressInfo).port).toBe(port);
  return { t, jwksHits };
}

async function startDownstream(options: PhoneAuthModuleOptions): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [DownstreamModule.forRoot(options)] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('downstream example validating phone-auth tokens through the JWKS', () => {
  const signingKeyPem = testSigningKeyPem();
  const signingKey = createPrivateKey(signingKeyPem);
  let port: number;
  let publicUrl: string;
  let phoneAuth: Awaited<ReturnType<typeof startPhoneAuth>>;
  let downstream: NestFastifyApplication;
  let fresh: { accessToken: string; user: { id: string } };
  let expiredToken: string;
  let otherAudienceToken: string;
  // The example's idea of "now" for the key-set cache (jose reads Date.now); undefined = real time.
  let downstreamNowMs: number | undefined;

  const me = async (headers: Record<string, string> = {}) => {
    const spy = downstreamNowMs === undefined ? undefined : jest.spyOn(Date, 'now').mockReturnValue(downstreamNowMs);
    try {
      return await downstream.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/me', headers });
    } finally {
      spy?.mockRestore();
    }
  };
  const bearer = (token: string) => me({ authorization: `Bearer ${token}` });
  const expectRefused = async (token: string) => {
    const response = await bearer(token);
    expect(response.statusCode).toBe(401);
    expect(json(response)).toEqual(REFUSED);
    expect(response.body).not.toContain(token);
  };

  beforeAll(async () => {
    port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;

    // Same key and issuer as the main instance, issuing at a time two hours ago.
    const past = await startTestApp(
      { PUBLIC_URL: publicUrl, JWT_PRIVATE_KEY: signingKeyPem },
      { clock: new FakeClock(Date.now() - 2 * 3600_000) },
    );
    expiredToken = (await login(past, PHONE)).accessToken;
    await past.close();
    // Same key and issuer, another audience.
    const elsewhere = await startTestApp({ PUBLIC_URL: publicUrl, JWT_PRIVATE_KEY: signingKeyPem, JWT_AUDIENCE: 'https://other.example' });
    otherAudienceToken = (await login(elsewhere, PHONE)).accessToken;
    await elsewhere.close();

    phoneAuth = await startPhoneAuth(port, { JWT_PRIVATE_KEY: signingKeyPem });
    fresh = await login(phoneAuth.t, PHONE);
    downstream = await startDownstream({ issuer: publicUrl, audience: publicUrl });
  });

  afterAll(async () => {
    await downstream?.close();
    await phoneAuth?.t.close();
  });

  it('accepts a fresh token, with its claims on the request, fetching the JWKS once for many requests', async () => {
    expect(phoneAuth.jwksHits).toHaveLength(0);
    for (let request = 0; request < 3; request += 1) {
      const response = await bearer(fresh.accessToken);
      expect(response.statusCode).toBe(200);
      expect(json(response)).toEqual({ sub: fresh.user.id, phone_number: PHONE });
    }
    expect(phoneAuth.jwksHits).toHaveLength(1);
  });

  it('accepts a token signed by hand with the published key (the control for the forged tokens below)', async () => {
    const { header, payload } = decode(fresh.accessToken);
    const response = await bearer(signEs256(header, { ...payload, jti: 'hand-signed' }, signingKey));
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ sub: fresh.user.id, phone_number: PHONE });
  });

  it('refuses a request without a bearer token', async () => {
    const variants: Record<string, string>[] = [{}, { authorization: fresh.accessToken }, { authorization: `Basic ${fresh.accessToken}` }];
    for (const headers of variants) {
      const response = await me(headers);
      expect(response.statusCode).toBe(401);
      expect(json(response)).toEqual(REFUSED);
    }
  });

  it('refuses an expired token', async () => {
    const { header, payload } = decode(expiredToken);
    expect(header.kid).toBe(decode(fresh.accessToken).header.kid);
    expect(payload.exp as number).toBeLessThan(Date.now() / 1000 - 3600);
    await expectRefused(expiredToken);
  });

  it('refuses a token for another audience', async () => {
    const { header, payload } = decode(otherAudienceToken);
    expect(header.kid).toBe(decode(fresh.accessToken).header.kid);
    expect(payload).toMatchObject({ iss: publicUrl, aud: 'https://other.example' });
    expect(decode(fresh.accessToken).payload.aud).toBe(publicUrl);
    await expectRefused(otherAudienceToken);
  });

  it('refuses a token of another issuer, signed with the published key', async () => {
    const { header, payload } = decode(fresh.accessToken);
    await expectRefused(signEs256(header, { ...payload, iss: 'https://impostor.example' }, signingKey));
  });

  it('refuses a token that is not an access token (typ JWT, or none), signed with the published key', async () => {
    const { header, payload } = decode(fresh.accessToken);
    await expectRefused(signEs256({ ...header, typ: 'JWT' }, payload, signingKey));
    const { typ: _typ, ...untyped } = header;
    await expectRefused(signEs256(untyped, payload, signingKey));
  });

  it('refuses a token without exp, signed with the published key', async () => {
    const { header, payload } = decode(fresh.accessToken);
    const { exp: _exp, ...claims } = payload;
    await expectRefused(signEs256(header, claims, signingKey));
  });

  it('refuses an unsigned token (alg none)', async () => {
    const { header, payload } = decode(fresh.accessToken);
    await expectRefused(`${segment({ ...header, alg: 'none' })}.${segment(payload)}.`);
  });

  it('refuses HS256 with the public key as the HMAC secret', async () => {
    const jwks = json<{ keys: Record<string, string>[] }>(await phoneAuth.t.inject({ method: 'GET', url: '/.well-known/jwks.json' }));
    const { header, payload } = decode(fresh.accessToken);
    const jwk = jwks.keys.find((key) => key.kid === header.kid);
    expect(jwk).toBeDefined();
    const publicPem = createPublicKey({ key: jwk!, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const input = `${segment({ ...header, alg: 'HS256' })}.${segment(payload)}`;
    await expectRefused(`${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`);
  });

  it('refuses a tampered token: another phone number under the original signature', async () => {
    const [header, , signature] = fresh.accessToken.split('.');
    const { payload } = decode(fresh.accessToken);
    await expectRefused(`${header}.${segment({ ...payload, phone_number: '+919999999999' })}.${signature}`);
  });

  it('refuses a token signed by another key under the published kid', async () => {
    const { header, payload } = decode(fresh.accessToken);
    await expectRefused(signEs256(header, payload, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey));
  });

  it('refuses a token of an unknown kid, refetching the JWKS once per cooldown and no more', async () => {
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const { header, payload } = decode(fresh.accessToken);
    const token = signEs256({ ...header, kid: thumbprint(otherKey) }, payload, otherKey);
    expect(phoneAuth.jwksHits).toHaveLength(1);

    // Within the cooldown of the first fetch: refused from the cache.
    downstreamNowMs = phoneAuth.jwksHits[0] + 1000;
    await expectRefused(token);
    expect(phoneAuth.jwksHits).toHaveLength(1);

    // Past it: one refetch (a rotation could have published the kid), still refused...
    downstreamNowMs = Date.now() + COOLDOWN_MS + 1000;
    await expectRefused(token);
    expect(phoneAuth.jwksHits).toHaveLength(2);
    // ...and that refetch starts a new cooldown.
    await expectRefused(token);
    await expectRefused(token);
    expect(phoneAuth.jwksHits).toHaveLength(2);
  });

  it('accepts a token of a rotated key once the cooldown has passed', async () => {
    // phone-auth restarts on the same address with a new key; the example still caches the old set.
    await phoneAuth.t.close();
    phoneAuth = await startPhoneAuth(port, { JWT_PRIVATE_KEY: testSigningKeyPem() });
    const rotated = await login(phoneAuth.t, PHONE);
    expect(decode(rotated.accessToken).header.kid).not.toBe(decode(fresh.accessToken).header.kid);

    downstreamNowMs = (downstreamNowMs ?? Date.now()) + 1000;
    await expectRefused(rotated.accessToken);
    expect(phoneAuth.jwksHits).toHaveLength(0);

    downstreamNowMs += COOLDOWN_MS;
    const response = await bearer(rotated.accessToken);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ sub: rotated.user.id, phone_number: PHONE });
    expect(phoneAuth.jwksHits).toHaveLength(1);
  });

  it('answers 503, not 401, when the JWKS cannot be fetched', async () => {
    const closedPort = await freePort();
    const cut = await startDownstream({
      jwksUri: `http://127.0.0.1:${closedPort}/.well-known/jwks.json`,
      issuer: publicUrl,
      audience: publicUrl,
    });
    try {
      const response = await cut.getHttpAdapter().getInstance().inject({
        method: 'GET',
        url: '/me',
        headers: { authorization: `Bearer ${fresh.accessToken}` },
      });
      expect(response.statusCode).toBe(503);
      expect(response.body).not.toContain(fresh.accessToken);
    } finally {
      await cut.close();
    }
  });
});

import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule as DownstreamModule } from '../../examples/downstream/src/app.module.js';
import { freePort } from '../support/redis-server.js';
import { bearer, json, LoggedIn, login, postJson, startTestApp, TestApp, testSigningKeyPem } from '../support/e2e-kit.js';
import { assertWellFormed } from '../hardening/hostile.js';

// Issue 9, item 4: forged and misused tokens against phone-auth's Bearer guard (GET /v1/sessions),
// its introspection (POST /v1/tokens/introspect with an API key: only `{ active: false }`) and the
// downstream example's guard. A control token, signed by hand with the real key and claims, is
// accepted everywhere, so each refusal is the forgery's doing and not the harness's.

const API_KEY = 'pa_hardening_tokens_key_0123456789abcdef';
const API_KEYS = `billing:${createHash('sha256').update(API_KEY).digest('hex')}`;

type Claims = Record<string, unknown>;
const segment = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const parse = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Claims;

function decode(token: string): { header: Claims; payload: Claims } {
  const [header, payload] = token.split('.');
  return { header: parse(header), payload: parse(payload) };
}

function es256(header: Claims, payload: Claims, key: KeyObject): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

function hs256(header: Claims, payload: Claims, secret: string | Buffer): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function thumbprint(key: KeyObject): string {
  const { crv, kty, x, y } = createPublicKey(key).export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

describe('forged and misused access tokens', () => {
  const signingKeyPem = testSigningKeyPem();
  const signingKey = createPrivateKey(signingKeyPem);
  const attackerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const attackerJwk = { ...createPublicKey(attackerKey).export({ format: 'jwk' }), kid: thumbprint(attackerKey), alg: 'ES256', use: 'sig' };
  let port: number;
  let issuer: string;
  let t: TestApp;
  let downstream: NestFastifyApplication;
  let session: LoggedIn;
  let header: Claims;
  let claims: Claims;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    t = await startTestApp({ PUBLIC_URL: issuer, JWT_PRIVATE_KEY: signingKeyPem, API_KEYS });
    await t.app.listen(port, '127.0.0.1');
    session = await login(t, '+919877500001');
    ({ header, payload: claims } = decode(session.accessToken));

    const moduleRef = await Test.createTestingModule({
      imports: [DownstreamModule.forRoot({ issuer, audience: issuer })],
    }).compile();
    downstream = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await downstream.init();
    await downstream.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await downstream?.close();
    await t?.close();
  });

  const guard = (token: string) => t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(token) });
  const introspect = (token: string) => postJson(t, '/v1/tokens/introspect', { token }, { 'x-api-key': API_KEY });
  const downstreamMe = (token: string) => downstream.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/me', headers: bearer(token) });

  async function expectRefusedEverywhere(token: string, { downstreamToo = true } = {}): Promise<void> {
    const refused = await guard(token);
    assertWellFormed({ method: 'GET', url: '/v1/sessions' }, refused);
    expect([refused.statusCode, json(refused).code]).toEqual([401, 'unauthorized']);
    expect(refused.body).not.toContain(token);
    const inactive = await introspect(token);
    expect([inactive.statusCode, json(inactive)]).toEqual([200, { active: false }]);
    if (downstreamToo) expect((await downstreamMe(token)).statusCode).toBe(401);
  }

  it('accepts the control: a token signed by hand with the real key and claims', async () => {
    const control = es256(header, { ...claims, jti: 'control' }, signingKey);
    expect((await guard(control)).statusCode).toBe(200);
    expect(json(await introspect(control))).toMatchObject({ active: true, sub: session.user.id, sid: session.sessionId });
    expect((await downstreamMe(control)).statusCode).toBe(200);
  });

  const forgeries: [string, () => string][] = [
    ['alg none, no signature', () => `${segment({ ...header, alg: 'none' })}.${segment(claims)}.`],
    ['alg None, the real signature', () => `${segment({ ...header, alg: 'None' })}.${segment(claims)}.${session.accessToken.split('.')[2]}`],
    ['alg none without kid', () => `${segment({ alg: 'none', typ: 'at+jwt' })}.${segment(claims)}.`],
    ['HS256 keyed with the public key PEM', () => hs256({ ...header, alg: 'HS256' }, claims, createPublicKey(signingKey).export({ format: 'pem', type: 'spki' }).toString())],
    ['HS256 keyed with the public JWK', () => hs256({ ...header, alg: 'HS256' }, claims, JSON.stringify(createPublicKey(signingKey).export({ format: 'jwk' })))],
    ['HS256 keyed with the JWK x coordinate', () => hs256({ ...header, alg: 'HS256' }, claims, String(createPublicKey(signingKey).export({ format: 'jwk' }).x))],
    ['RS256 under the EC kid', () => `${segment({ ...header, alg: 'RS256' })}.${segment(claims)}.${session.accessToken.split('.')[2]}`],
    ['another phone number under the original signature', () => `${segment(header)}.${segment({ ...claims, phone_number: '+919999999999' })}.${session.accessToken.split('.')[2]}`],
    ['another subject under the original signature', () => `${segment(header)}.${segment({ ...claims, sub: 'usr_AAAAAAAAAAAAAAAAAAAAAA' })}.${session.accessToken.split('.')[2]}`],
    ['a later exp under the original signature', () => `${segment(header)}.${segment({ ...claims, exp: now() + 86_400 })}.${session.accessToken.split('.')[2]}`],
    ['an empty signature', () => `${session.accessToken.split('.').slice(0, 2).join('.')}.`],
    ['a truncated signature', () => session.accessToken.slice(0, -10)],
    ['a fourth segment', () => `${session.accessToken}.AAAA`],
    ['typ JWT', () => es256({ ...header, typ: 'JWT' }, claims, signingKey)],
    ['no typ', () => es256({ alg: header.alg, kid: header.kid }, claims, signingKey)],
    ['typ application/jwt', () => es256({ ...header, typ: 'application/jwt' }, claims, signingKey)],
    ['typ id_token style (JWT) with an id_token nonce', () => es256({ ...header, typ: 'JWT' }, { ...claims, nonce: 'n' }, signingKey)],
    ['another issuer', () => es256(header, { ...claims, iss: 'https://impostor.example' }, signingKey)],
    ['the issuer with a trailing slash', () => es256(header, { ...claims, iss: `${issuer}/` }, signingKey)],
    ['another audience', () => es256(header, { ...claims, aud: 'https://other.example' }, signingKey)],
    ['no audience', () => es256(header, (({ aud: _aud, ...rest }) => rest)(claims), signingKey)],
    ['expired beyond the 30 s leeway', () => es256(header, { ...claims, iat: now() - 700, exp: now() - 60 }, signingKey)],
    ['no exp', () => es256(header, (({ exp: _exp, ...rest }) => rest)(claims), signingKey)],
    ['exp as a string', () => es256(header, { ...claims, exp: String(now() + 600) }, signingKey)],
    ['nbf an hour ahead', () => es256(header, { ...claims, nbf: now() + 3600 }, signingKey)],
    ['an unknown kid, signed by its own key', () => es256({ ...header, kid: thumbprint(attackerKey) }, claims, attackerKey)],
    ['the real kid, signed by another key', () => es256(header, claims, attackerKey)],
    ['a jku header naming the attacker\'s key set', () => es256({ ...header, kid: attackerJwk.kid, jku: 'https://attacker.example/jwks.json' }, claims, attackerKey)],
    ['a jwk header embedding the attacker\'s key under the real kid', () => es256({ ...header, jwk: attackerJwk }, claims, attackerKey)],
    ['a jwk header embedding the attacker\'s key under its own kid', () => es256({ ...header, kid: attackerJwk.kid, jwk: attackerJwk }, claims, attackerKey)],
    ['an x5u header', () => es256({ ...header, kid: attackerJwk.kid, x5u: 'https://attacker.example/cert.pem' }, claims, attackerKey)],
    ['a kid of __proto__', () => es256({ ...header, kid: '__proto__' }, claims, attackerKey)],
    ['a kid of ../../../dev/null', () => hs256({ ...header, alg: 'HS256', kid: '../../../dev/null' }, claims, '')],
    ['a refresh token', () => session.refreshToken],
    ['a header that is not JSON', () => `${segment('not json')}.${segment(claims)}.${session.accessToken.split('.')[2]}`],
    ['a payload that is an array', () => es256(header, [claims] as unknown as Claims, signingKey)],
  ];

  it.each(forgeries)('refuses %s at the guard, introspection and downstream', async (_name, forge) => {
    await expectRefusedEverywhere(forge());
  });

  // Signed by the real key, so no forgery: phone-auth insists on a kid; jose downstream, given no
  // kid, tries the key set's one key of the right type and accepts (harmless: it takes the key).
  it('refuses a token without kid at the guard and introspection', async () => {
    await expectRefusedEverywhere(es256({ alg: 'ES256', typ: 'at+jwt' }, claims, signingKey), { downstreamToo: false });
  });

  // A token of a real signer whose clock runs ahead: phone-auth refuses a future iat (30 s leeway).
  it('refuses iat an hour ahead at the guard and introspection', async () => {
    await expectRefusedEverywhere(es256(header, { ...claims, iat: now() + 3600, exp: now() + 4200 }, signingKey), { downstreamToo: false });
  });

  // Regression test, fixed (was in the example's guard, now packages/verify/src/jwt-checks.ts: jwtVerify is called without
  // `maxTokenAge`, and jose checks iat against the clock only with it): the downstream guard
  // accepts a token whose iat is an hour in the future, where phone-auth itself refuses it
  // (README: iat with 30 s leeway; reference requirement 19, "reject future iat").
  it('refuses iat an hour ahead downstream too', async () => {
    const token = es256(header, { ...claims, iat: now() + 3600, exp: now() + 4200 }, signingKey);
    expect((await downstreamMe(token)).statusCode).toBe(401);
  });

  it('refuses the refresh token used as a Bearer token in every spelling, and its secret alone', async () => {
    const [, secret] = session.refreshToken.split('.');
    for (const token of [session.refreshToken, secret, `${session.sessionId}`, `${session.refreshToken}.x`]) {
      await expectRefusedEverywhere(token, { downstreamToo: false });
    }
  });

  // Last: it ends the session the other tests use.
  it('refuses the real token once its session has ended, at the guard and introspection', async () => {
    expect((await guard(session.accessToken)).statusCode).toBe(200);
    expect((await t.inject({ method: 'POST', url: '/v1/sessions/logout', headers: bearer(session.accessToken) })).statusCode).toBe(204);
    await expectRefusedEverywhere(session.accessToken, { downstreamToo: false });
    // Downstream validates offline: it still accepts the token until it expires (README, "Rules").
    expect((await downstreamMe(session.accessToken)).statusCode).toBe(200);
  });
});

import { createHash, createHmac, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../../test/support/redis-server.js';
import { bearer, json, login, type LoggedIn, postJson, startTestApp, type TestApp, testSigningKeyPem } from '../../../test/support/e2e-kit.js';

// A real phone-auth listening on 127.0.0.1, so verifiers fetch its JWKS and call its introspection
// over HTTP as in production; and the tokens the adapter suites present to them.

export const INTROSPECTION_API_KEY = 'verify-package-introspection-key';
const API_KEYS = `billing:${createHash('sha256').update(INTROSPECTION_API_KEY).digest('hex')}:introspect`;
const PAYMENT = { action: 'payment', amount: { currency: 'EUR', value: '50.00' }, payee: 'ACME' };

export type Claims = Record<string, unknown>;
export type Jwt = { header: Claims; payload: Claims };

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decode(token: string): Jwt {
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Claims);
  return { header, payload };
}

export function signEs256(header: Claims, payload: Claims, key: KeyObject): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

export class PhoneAuthFixture {
  /** Request times of GET /.well-known/jwks.json on the current instance. */
  jwksHits: number[] = [];

  private constructor(
    readonly port: number,
    public t: TestApp,
    private signingKeyPem: string,
  ) {}

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get signingKey(): KeyObject {
    return createPrivateKey(this.signingKeyPem);
  }

  static async start(): Promise<PhoneAuthFixture> {
    const port = await freePort();
    const pem = testSigningKeyPem();
    const fixture = new PhoneAuthFixture(port, await PhoneAuthFixture.listen(port, pem), pem);
    fixture.countJwksHits();
    return fixture;
  }

  private static async listen(port: number, signingKeyPem: string): Promise<TestApp> {
    const t = await startTestApp({ PUBLIC_URL: `http://127.0.0.1:${port}`, JWT_PRIVATE_KEY: signingKeyPem, API_KEYS, SMS_PROVIDERS: 'outbox' });
    await t.app.listen(port, '127.0.0.1');
    expect((t.app.getHttpServer().address() as AddressInfo).port).toBe(port);
    return t;
  }

  private countJwksHits(): void {
    this.jwksHits = [];
    // Fastify takes no hooks once ready; a second 'request' listener on the Node server sees every request.
    this.t.app.getHttpServer().on('request', (request: { url?: string }) => {
      if (request.url === '/.well-known/jwks.json') this.jwksHits.push(Date.now());
    });
  }

  /** Restarts phone-auth on the same address with a new signing key (its old key no longer published). */
  async rotate(): Promise<void> {
    await this.t.close();
    this.signingKeyPem = testSigningKeyPem();
    this.t = await PhoneAuthFixture.listen(this.port, this.signingKeyPem);
    this.countJwksHits();
  }

  login(phone?: string): Promise<LoggedIn> {
    return login(this.t, phone);
  }

  async logout(accessToken: string): Promise<void> {
    const ended = await this.t.inject({ method: 'POST', url: '/v1/sessions/logout', headers: bearer(accessToken) });
    expect(ended.statusCode).toBe(204);
  }

  /** A real step-up receipt (typ step-up+jwt) for `binding`, issued to `session`. */
  async receipt(session: LoggedIn, binding: object = PAYMENT): Promise<string> {
    const sent = await postJson(this.t, '/v1/otp/send', { purpose: 'step_up', ...binding }, bearer(session.accessToken));
    expect(sent.statusCode).toBe(202);
    const verified = await postJson(this.t, '/v1/otp/verify', { purpose: 'step_up', code: this.t.codes.last }, bearer(session.accessToken));
    expect(verified.statusCode).toBe(200);
    return json(verified).receipt as string;
  }

  /** `token` re-signed by hand with phone-auth's own key, its header and claims changed. */
  resign(token: string, change: { header?: Claims; payload?: Claims } = {}): string {
    const { header, payload } = decode(token);
    return signEs256({ ...header, ...change.header }, { ...payload, ...change.payload }, this.signingKey);
  }

  /** Tokens that must be refused, each built from the real `token` of this instance. */
  async forgeries(token: string): Promise<Record<string, string>> {
    const now = Math.floor(Date.now() / 1000);
    const { header, payload } = decode(token);
    const jwks = json<{ keys: Record<string, string>[] }>(await this.t.inject({ method: 'GET', url: '/.well-known/jwks.json' }));
    const jwk = jwks.keys.find((key) => key.kid === header.kid);
    expect(jwk).toBeDefined();
    const publicPem = createPublicKey({ key: jwk!, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const hs256Input = `${segment({ ...header, alg: 'HS256' })}.${segment(payload)}`;
    return {
      'for another audience': this.resign(token, { payload: { aud: 'https://other.example' } }),
      'of another issuer': this.resign(token, { payload: { iss: 'https://impostor.example' } }),
      'that expired an hour ago': this.resign(token, { payload: { iat: now - 4200, auth_time: now - 4200, exp: now - 3600 } }),
      'typed JWT': this.resign(token, { header: { typ: 'JWT' } }),
      'signed with alg none': `${segment({ ...header, alg: 'none' })}.${segment(payload)}.`,
      'signed HS256 with the public key as secret': `${hs256Input}.${createHmac('sha256', publicPem).update(hs256Input).digest('base64url')}`,
    };
  }

  close(): Promise<void> {
    return this.t.close();
  }
}

import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, json, login, postJson, refreshSession, type TestApp, startTestApp } from '../support/e2e-kit.js';

// The OAuth side of phone-auth, request by request: RFC 7662 client authentication at
// introspection, OAuth errors there (and only there), the RFC 6749 token endpoint and the
// RFC 8414 metadata. test/e2e/interop-*.e2e-spec.ts drive the same through client libraries.

const BILLING_KEY = 'pak_billing_key_for_the_oauth_suite_0123456789';
const OPS_KEY = 'pak_ops_key_for_the_oauth_suite_0123456789';
const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
const API_KEYS = `billing:${sha256(BILLING_KEY)}:login+introspect,ops:${sha256(OPS_KEY)}:admin`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}` });
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

function expectOAuthError(response: LightMyRequestResponse, status: number, error: string): Record<string, unknown> {
  expect([response.statusCode, response.headers['content-type'], json(response).error]).toEqual([status, 'application/json; charset=utf-8', error]);
  expect(Object.keys(json(response)).sort()).toEqual(['error', 'error_description']);
  expect(json(response).error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
  return json(response);
}

describe('OAuth endpoints', () => {
  let t: TestApp;

  beforeAll(async () => {
    // No grace after a rotation: a spent token presented again at once is a reuse.
    t = await startTestApp({ API_KEYS, REFRESH_TOKEN_REUSE_GRACE_SECONDS: '0' });
  });
  afterAll(async () => t.close());

  const introspect = (payload: string, headers: Record<string, string>) => t.inject({ method: 'POST', url: '/v1/tokens/introspect', headers: { ...FORM, ...headers }, payload });
  const token = (fields: Record<string, string>) => t.inject({ method: 'POST', url: '/oauth/token', headers: FORM, payload: form(fields) });

  describe('introspection client authentication', () => {
    it('accepts client_secret_basic, client_secret_post (form and JSON) and X-API-Key alike', async () => {
      const session = await login(t);
      const answers = [
        await introspect(form({ token: session.accessToken }), basic('billing', BILLING_KEY)),
        await introspect(form({ token: session.accessToken, client_id: 'billing', client_secret: BILLING_KEY }), {}),
        await postJson(t, '/v1/tokens/introspect', { token: session.accessToken, client_id: 'billing', client_secret: BILLING_KEY }),
        await introspect(form({ token: session.accessToken }), { 'x-api-key': BILLING_KEY }),
      ];
      for (const answer of answers) {
        expect([answer.statusCode, answer.headers['cache-control']]).toEqual([200, 'no-store']);
        expect(json(answer)).toMatchObject({ active: true, sub: session.user.id, sid: session.sessionId });
      }
      const garbage = await introspect(form({ token: 'garbage' }), basic('billing', BILLING_KEY));
      expect(json(garbage)).toEqual({ active: false });
    });

    it('decodes Basic credentials form-urlencoded before base64, as RFC 6749 §2.3.1 asks', async () => {
      // A key with characters that the encoding changes: `+` is a space unless sent as %2B.
      const key = 'pak_odd:key+with/chars%';
      const app = await startTestApp({ API_KEYS: `odd.client:${sha256(key)}:introspect` });
      try {
        const ok = await app.inject({ method: 'POST', url: '/v1/tokens/introspect', headers: { ...FORM, ...basic('odd.client', key) }, payload: form({ token: 'x' }) });
        expect([ok.statusCode, json(ok)]).toEqual([200, { active: false }]);
        const raw = `Basic ${Buffer.from(`odd.client:${key}`).toString('base64')}`;
        const unencoded = await app.inject({ method: 'POST', url: '/v1/tokens/introspect', headers: { ...FORM, authorization: raw }, payload: form({ token: 'x' }) });
        expectOAuthError(unencoded, 401, 'invalid_client');
      } finally {
        await app.close();
      }
    });

    it('answers invalid_client with a Basic challenge for missing, wrong or mismatched credentials', async () => {
      const refused = [
        await introspect(form({ token: 'x' }), {}),
        await introspect(form({ token: 'x' }), basic('billing', 'wrong')),
        await introspect(form({ token: 'x' }), basic('ops', BILLING_KEY)),
        await introspect(form({ token: 'x', client_id: 'ops', client_secret: BILLING_KEY }), {}),
        await introspect(form({ token: 'x' }), { authorization: 'Basic %%%' }),
        await introspect(form({ token: 'x' }), { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` }),
        await introspect(form({ token: 'x' }), { 'x-api-key': 'wrong' }),
        await introspect(form({ token: 'x', client_id: 'ops' }), { 'x-api-key': BILLING_KEY }),
        await introspect(form({ token: 'x', client_id: 'billing' }), {}),
      ];
      for (const answer of refused) {
        expectOAuthError(answer, 401, 'invalid_client');
        expect(answer.headers['www-authenticate']).toBe('Basic realm="phone-auth"');
      }
    });

    it('refuses two authentication methods at once, and a malformed or missing token, as invalid_request', async () => {
      const twice = [
        await introspect(form({ token: 'x' }), { ...basic('billing', BILLING_KEY), 'x-api-key': BILLING_KEY }),
        await introspect(form({ token: 'x', client_id: 'billing', client_secret: BILLING_KEY }), basic('billing', BILLING_KEY)),
        await introspect(form({ token: 'x', client_id: 'billing', client_secret: BILLING_KEY }), { 'x-api-key': BILLING_KEY }),
        await introspect(form({ token: 'x', client_id: 'other' }), basic('billing', BILLING_KEY)),
        await introspect(form({ token: 'x', client_secret: BILLING_KEY }), {}),
      ];
      for (const answer of twice) expectOAuthError(answer, 400, 'invalid_request');
      expectOAuthError(await introspect(form({}), basic('billing', BILLING_KEY)), 400, 'invalid_request');
      expectOAuthError(await introspect(form({ token: 'x', extra: 'y' }), basic('billing', BILLING_KEY)), 400, 'invalid_request');
      expectOAuthError(await introspect('{"token":', { 'content-type': 'application/json', ...basic('billing', BILLING_KEY) }), 400, 'invalid_request');
      const plain = await introspect('token=x', { 'content-type': 'text/plain', ...basic('billing', BILLING_KEY) });
      expectOAuthError(plain, 415, 'invalid_request');
    });

    it('requires the introspect scope whichever method authenticated: unauthorized_client', async () => {
      for (const headers of [basic('ops', OPS_KEY), { 'x-api-key': OPS_KEY }]) expectOAuthError(await introspect(form({ token: 'x' }), headers), 403, 'unauthorized_client');
    });

    it('keeps problem+json everywhere else, for the same failures', async () => {
      const unauthorized = await t.inject({ method: 'DELETE', url: '/v1/users/usr_aaaaaaaaaaaaaaaaaaaaaa/sessions', headers: basic('ops', OPS_KEY) });
      expect([unauthorized.statusCode, unauthorized.headers['content-type'], json(unauthorized).code]).toEqual([401, 'application/problem+json; charset=utf-8', 'unauthorized']);
      expect(unauthorized.headers['www-authenticate']).toBeUndefined();
      const bad = await refreshSession(t, 'ses_x.y');
      expect([bad.headers['content-type'], json(bad).code]).toEqual(['application/problem+json; charset=utf-8', 'invalid_refresh_token']);
    });
  });

  describe('token endpoint (RFC 6749 §6 refresh grant)', () => {
    it('rotates a refresh token into a new pair, in OAuth\'s shape, as /v1/sessions/refresh does', async () => {
      const session = await login(t);
      const answer = await token({ grant_type: 'refresh_token', refresh_token: session.refreshToken, client_id: 'web' });
      expect([answer.statusCode, answer.headers['cache-control'], answer.headers['content-type']]).toEqual([200, 'no-store', 'application/json; charset=utf-8']);
      const body = json(answer);
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
      expect(body.refresh_token).toMatch(new RegExp(`^${session.sessionId}\\.`));
      expect((await t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(body.access_token) })).statusCode).toBe(200);
      // The JSON API rotates the same session on.
      const next = await refreshSession(t, body.refresh_token);
      expect(next.statusCode).toBe(200);
    });

    it('answers invalid_grant for a forged token, and ends the session when a spent one comes back', async () => {
      expectOAuthError(await token({ grant_type: 'refresh_token', refresh_token: 'ses_nothing.forged' }), 400, 'invalid_grant');
      const session = await login(t);
      const rotated = json(await token({ grant_type: 'refresh_token', refresh_token: session.refreshToken }));
      const reused = expectOAuthError(await token({ grant_type: 'refresh_token', refresh_token: session.refreshToken }), 400, 'invalid_grant');
      expect(reused.error_description).toMatch(/already used/);
      // The whole session ended: the token rotated before the reuse is dead too.
      expectOAuthError(await token({ grant_type: 'refresh_token', refresh_token: rotated.refresh_token }), 400, 'invalid_grant');
      expect((await t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(rotated.access_token) })).statusCode).toBe(401);
    });

    it('answers unsupported_grant_type for another grant, whatever its parameters, and invalid_request for a malformed one', async () => {
      expectOAuthError(await token({ grant_type: 'authorization_code', code: 'abc', redirect_uri: 'https://app.example/cb' }), 400, 'unsupported_grant_type');
      expectOAuthError(await token({ grant_type: 'password', username: 'u', password: 'p' }), 400, 'unsupported_grant_type');
      expectOAuthError(await token({ refresh_token: 'x' }), 400, 'invalid_request');
      expectOAuthError(await token({ grant_type: 'refresh_token' }), 400, 'invalid_request');
      expectOAuthError(await token({ grant_type: 'refresh_token', refresh_token: 'x', client_secret: 's' }), 400, 'invalid_request');
      expectOAuthError(await t.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: '{' }), 400, 'invalid_request');
      expectOAuthError(await t.inject({ method: 'POST', url: '/oauth/token', headers: FORM, payload: `refresh_token=${'a'.repeat(20_000)}` }), 413, 'invalid_request');
    });
  });

  it('rate-limits the token endpoint per IP as refresh, answering temporarily_unavailable with Retry-After', async () => {
    const limited = await startTestApp({ RATE_LIMIT_REFRESH_PER_IP: '2' });
    try {
      const grant = () => limited.inject({ method: 'POST', url: '/oauth/token', headers: FORM, payload: form({ grant_type: 'refresh_token', refresh_token: 'ses_x.y' }) });
      expect([(await grant()).statusCode, (await grant()).statusCode]).toEqual([400, 400]);
      const refused = await grant();
      expectOAuthError(refused, 429, 'temporarily_unavailable');
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    } finally {
      await limited.close();
    }
  });

  describe('metadata', () => {
    it('serves one RFC 8414 document at both well-known locations, advertising only what works', async () => {
      const oauth = await t.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
      const openid = await t.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
      expect(json(oauth)).toEqual(json(openid));
      expect(json(oauth)).toEqual({
        issuer: 'http://localhost:3000',
        jwks_uri: 'http://localhost:3000/.well-known/jwks.json',
        token_endpoint: 'http://localhost:3000/oauth/token',
        token_endpoint_auth_methods_supported: ['none'],
        grant_types_supported: ['refresh_token'],
        response_types_supported: [],
        introspection_endpoint: 'http://localhost:3000/v1/tokens/introspect',
        introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        access_token_signing_alg_values_supported: ['ES256'],
        claims_supported: expect.arrayContaining(['sub', 'sid', 'phone_number']),
      });
      expect(oauth.headers['cache-control']).toBe('public, max-age=300');
    });
  });
});

import * as oauth from 'openid-client';
import { bearer, json, login } from '../support/e2e-kit.js';
import { INTEROP_CLIENT, type ListeningPhoneAuth, startListeningPhoneAuth } from '../support/interop.js';

// openid-client 6 (panva), installed from the registry, against phone-auth listening on
// 127.0.0.1: discovery at both well-known locations, RFC 7662 introspection with both client
// authentication methods, and the RFC 6749 refresh grant with its reuse detection.
// allowInsecureRequests: the test server speaks http://, which openid-client otherwise refuses.

const INSECURE = { execute: [oauth.allowInsecureRequests] };

describe('openid-client against phone-auth', () => {
  let phoneAuth: ListeningPhoneAuth;

  beforeAll(async () => {
    // No grace after a rotation: a spent token presented again at once is a reuse.
    phoneAuth = await startListeningPhoneAuth({ REFRESH_TOKEN_REUSE_GRACE_SECONDS: '0' });
  });
  afterAll(async () => phoneAuth.t.close());

  const server = () => new URL(phoneAuth.publicUrl);
  const confidential = (auth: (secret: string) => oauth.ClientAuth, algorithm?: 'oauth2' | 'oidc') =>
    oauth.discovery(server(), INTEROP_CLIENT.id, undefined, auth(INTEROP_CLIENT.secret), { ...INSECURE, ...(algorithm ? { algorithm } : {}) });
  const publicClient = () => oauth.discovery(server(), 'web', undefined, oauth.None(), INSECURE);

  it('discovers the service at /.well-known/openid-configuration and at the RFC 8414 location alike', async () => {
    const paths: string[] = [];
    const record = (request: { url?: string }) => paths.push(request.url ?? '');
    phoneAuth.t.app.getHttpServer().on('request', record);
    for (const algorithm of ['oidc', 'oauth2'] as const) {
      const metadata = (await confidential(oauth.ClientSecretBasic, algorithm)).serverMetadata();
      expect(metadata).toMatchObject({
        issuer: phoneAuth.publicUrl,
        token_endpoint: `${phoneAuth.publicUrl}/oauth/token`,
        introspection_endpoint: `${phoneAuth.publicUrl}/v1/tokens/introspect`,
        introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        token_endpoint_auth_methods_supported: ['none'],
        grant_types_supported: ['refresh_token'],
      });
    }
    phoneAuth.t.app.getHttpServer().off('request', record);
    expect(paths).toEqual(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']);
  });

  it.each([
    ['client_secret_basic', oauth.ClientSecretBasic],
    ['client_secret_post', oauth.ClientSecretPost],
  ] as const)('introspects with %s: active for a live token, inactive for garbage and once the session ended', async (_method, auth) => {
    const config = await confidential(auth);
    const session = await login(phoneAuth.t);
    const live = await oauth.tokenIntrospection(config, session.accessToken);
    expect(live).toMatchObject({ active: true, sub: session.user.id, sid: session.sessionId, iss: phoneAuth.publicUrl });
    expect(await oauth.tokenIntrospection(config, 'garbage')).toEqual({ active: false });
    const logout = await phoneAuth.t.inject({ method: 'POST', url: '/v1/sessions/logout', headers: bearer(session.accessToken) });
    expect(logout.statusCode).toBe(204);
    expect(await oauth.tokenIntrospection(config, session.accessToken)).toEqual({ active: false });
  });

  it('reads a wrong client secret as a Basic challenge with the OAuth error invalid_client', async () => {
    const config = await oauth.discovery(server(), INTEROP_CLIENT.id, undefined, oauth.ClientSecretBasic('wrong'), INSECURE);
    const failure = await oauth.tokenIntrospection(config, 'anything').catch((error: unknown) => error);
    // A 401 with WWW-Authenticate surfaces as the challenge, the body still readable on the response.
    expect(failure).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenge = failure as oauth.WWWAuthenticateChallengeError;
    expect([challenge.status, challenge.cause[0].scheme, challenge.cause[0].parameters.realm]).toEqual([401, 'basic', 'phone-auth']);
    expect(await challenge.response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refreshes with refreshTokenGrant, and a rotated token presented again ends the session', async () => {
    const config = await publicClient();
    const session = await login(phoneAuth.t);
    const refreshed = await oauth.refreshTokenGrant(config, session.refreshToken);
    expect(refreshed).toMatchObject({ token_type: 'bearer', expires_in: 600 });
    expect(refreshed.refresh_token).not.toBe(session.refreshToken);
    const sessions = await phoneAuth.t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(refreshed.access_token) });
    expect(json(sessions).sessions.map((s: { id: string }) => s.id)).toContain(session.sessionId);

    const reuse = await oauth.refreshTokenGrant(config, session.refreshToken).catch((error: unknown) => error);
    expect(reuse).toBeInstanceOf(oauth.ResponseBodyError);
    expect(reuse).toMatchObject({ error: 'invalid_grant', status: 400 });
    // The reuse ended the whole session: the newest refresh and access tokens are dead too.
    await expect(oauth.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const after = await phoneAuth.t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(refreshed.access_token) });
    expect(after.statusCode).toBe(401);
  });
});

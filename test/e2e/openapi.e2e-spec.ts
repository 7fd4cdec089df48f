import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { ERROR_CODES } from '../../src/common/errors/domain.error.js';
import { OAUTH_ERROR_CODES } from '../../src/common/errors/oauth-errors.js';
import { bearer, json, postJson, refreshSession, sendCode, startTestApp, type TestApp, verifyCode } from '../support/e2e-kit.js';

const API_KEY = 'pa_test_key_for_the_openapi_suite_0123456789';

/**
 * Routes the app serves that are not API operations: the demo page and its assets, and the pages
 * behind the problem `type` URLs (documentation for people; the ProblemDetails schema says they resolve).
 */
const UNDOCUMENTED = ['GET /', 'GET /demo/app.js', 'GET /demo/app.css', 'GET /demo/config.json', 'GET /problems', 'GET /problems/{slug}'];
/** Swagger UI and the document themselves. */
const isDocsRoute = (path: string) => path === '/docs' || path.startsWith('/docs/');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;
/** The OAuth endpoints: their errors are RFC 6749 §5.2 `application/json`, not problem+json. */
const OAUTH_OPERATIONS = ['POST /v1/tokens/introspect', 'POST /oauth/token'];

type Schema = { $ref?: string; oneOf?: Schema[]; type?: string; properties?: Record<string, Schema>; required?: string[]; enum?: unknown[]; items?: Schema; allOf?: Schema[] };
type Response = { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: Schema; examples?: Record<string, { value: any }> }> };
type Operation = { responses: Record<string, Response>; parameters?: { name: string; in: string }[]; security?: Record<string, string[]>[]; requestBody?: unknown };
type Document = { openapi: string; info: { title: string; version: string }; servers: { url: string; description?: string }[]; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema>; securitySchemes: Record<string, any> } };

/**
 * Every route registered on Fastify, as "METHOD /path" with OpenAPI's `{param}`. Read from
 * `printRoutes({ commonPrefix: false })`: a tree whose lines are `<indent>├── <segment> (METHODS)`,
 * four characters of indent per level, each segment continuing its parent's path. HEAD routes are
 * Fastify's automatic twins of GET routes; a CORS preflight (`OPTIONS /*`) is no operation.
 */
function registeredRoutes(t: TestApp): string[] {
  const tree = t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const prefixes: string[] = [];
  const routes = new Set<string>();
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (match === null) {
      if (line.trim() !== '') throw new Error(`unexpected printRoutes line: ${JSON.stringify(line)}`);
      continue;
    }
    const depth = match[1].length / 4;
    const path = (depth === 0 ? '' : prefixes[depth - 1]) + match[2];
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean)) {
      if (method === 'HEAD' || (method === 'OPTIONS' && path.endsWith('*'))) continue;
      routes.add(`${method} ${path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    }
  }
  return [...routes].sort();
}

function documentedRoutes(doc: Document): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).filter((key) => (METHODS as readonly string[]).includes(key)).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await startTestApp({ API_KEYS: `billing:${createHash('sha256').update(API_KEY).digest('hex')}` });
    const response = await t.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    doc = json<Document>(response);
  });
  afterAll(async () => t?.close());

  const operation = (method: string, path: string): Operation => {
    const found = doc.paths[path]?.[method];
    if (found === undefined) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
    return found;
  };
  const schema = (ref: string | undefined): Schema => {
    const name = /^#\/components\/schemas\/(.+)$/.exec(ref ?? '')?.[1];
    const found = name === undefined ? undefined : doc.components.schemas[name];
    if (found === undefined) throw new Error(`no schema ${String(ref)}`);
    return found;
  };
  // An answer of several shapes (verify: a login's tokens or a step-up's receipt) is checked against its first.
  const successSchema = (method: string, path: string, status: number, shape = 0) => {
    const answer = operation(method, path).responses[String(status)]?.content?.['application/json']?.schema;
    return schema(answer?.$ref ?? answer?.oneOf?.[shape]?.$ref);
  };

  /** The body has every required member of its schema and none that the schema does not name. */
  const expectConforms = (body: Record<string, unknown>, target: Schema) => {
    const names = Object.keys(target.properties ?? {});
    expect(names.length).toBeGreaterThan(0);
    for (const required of target.required ?? []) expect(body).toHaveProperty([required]);
    for (const member of Object.keys(body)) expect(names).toContain(member);
  };
  const expectProblem = (response: LightMyRequestResponse, status: number, code: string, method: string, path: string) => {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expectConforms(json(response), schema('#/components/schemas/ProblemDetails'));
    const documented = operation(method, path).responses[String(status)]?.content?.['application/problem+json']?.examples ?? {};
    expect(Object.keys(documented)).toContain(code);
  };
  const expectOAuthError = (response: LightMyRequestResponse, status: number, error: string, method: string, path: string) => {
    expect([response.statusCode, json(response).error]).toEqual([status, error]);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expectConforms(json(response), schema('#/components/schemas/OAuthError'));
    const documented = Object.values(operation(method, path).responses[String(status)]?.content?.['application/json']?.examples ?? {}).map((example) => example.value.error);
    expect(documented).toContain(error);
  };

  it('is OpenAPI 3 for phone-auth with its security schemes: bearer, and one API-key scheme per scope', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('phone-auth');
    expect(doc.info.version).not.toBe('');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    for (const scheme of ['apiKeyLogin', 'apiKeyIntrospect', 'apiKeyAdmin']) {
      expect(doc.components.securitySchemes[scheme]).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    }
    expect(doc.components.securitySchemes.apiKeyAdmin.description).toContain('`admin` scope');
  });

  it('names PUBLIC_URL as its server, or where it is served from when PUBLIC_URL is not set', async () => {
    expect(doc.servers).toEqual([{ url: '/', description: expect.stringContaining('PUBLIC_URL is not set') }]);
    const named = await startTestApp({ PUBLIC_URL: 'https://auth.example.org' });
    try {
      expect(json<Document>(await named.inject({ method: 'GET', url: '/docs/openapi.json' })).servers).toEqual([{ url: 'https://auth.example.org' }]);
    } finally {
      await named.close();
    }
  });

  it('covers every route the app registers, and documents none that it does not', () => {
    const registered = registeredRoutes(t);
    // The parser read the tree: a change of printRoutes' format fails here, not silently.
    expect(registered).toEqual(expect.arrayContaining(['POST /v1/otp/send', 'GET /v1/otp/verifications/{id}', 'GET /.well-known/jwks.json', 'GET /docs']));
    // The excluded routes exist (else the list is stale) and are not in the document.
    expect(registered).toEqual(expect.arrayContaining(UNDOCUMENTED));
    const expected = registered.filter((route) => !UNDOCUMENTED.includes(route) && !isDocsRoute(route.split(' ')[1]));
    expect(documentedRoutes(doc)).toEqual(expected);
  });

  it('describes every problem answer as application/problem+json with the ProblemDetails schema', () => {
    const problem = doc.components.schemas.ProblemDetails;
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
    const codeSchema = problem.properties!.code;
    const codes = codeSchema.enum ?? schema(codeSchema.allOf?.[0]?.$ref ?? codeSchema.$ref).enum;
    expect([...(codes ?? [])].sort()).toEqual([...ERROR_CODES].sort());

    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect([where, Object.keys(op.responses).some((status) => Number(status) < 400)]).toEqual([where, true]);
        if (OAUTH_OPERATIONS.includes(where)) continue;
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          expect([where, status, Object.keys(response.content ?? {})]).toEqual([where, status, ['application/problem+json']]);
          const content = response.content!['application/problem+json'];
          expect(content.schema.$ref).toBe('#/components/schemas/ProblemDetails');
          const examples = Object.entries(content.examples ?? {});
          expect([where, status, examples.length > 0]).toEqual([where, status, true]);
          for (const [code, example] of examples) {
            expect(example.value).toMatchObject({ code, status: Number(status) });
            expect(ERROR_CODES).toContain(code);
          }
          if (status === '429' || status === '503') expect([where, status, response.headers]).toEqual([where, status, expect.objectContaining({ 'Retry-After': expect.anything() })]);
        }
      }
    }
  });

  it('describes the OAuth endpoints\' errors as application/json OAuthError, never problem+json', () => {
    const oauthError = doc.components.schemas.OAuthError;
    expect(oauthError.required).toEqual(expect.arrayContaining(['error', 'error_description']));
    for (const where of OAUTH_OPERATIONS) {
      const [method, path] = where.split(' ');
      const errors = Object.entries(operation(method.toLowerCase(), path).responses).filter(([status]) => Number(status) >= 400);
      expect([where, errors.map(([status]) => status)]).toEqual([where, expect.arrayContaining(['400', '500'])]);
      for (const [status, response] of errors) {
        expect([where, status, Object.keys(response.content ?? {})]).toEqual([where, status, ['application/json']]);
        const content = response.content!['application/json'];
        expect(content.schema.$ref).toBe('#/components/schemas/OAuthError');
        for (const example of Object.values(content.examples ?? {})) expect(OAUTH_ERROR_CODES).toContain(example.value.error);
        if (status === '401') expect(response.headers).toEqual(expect.objectContaining({ 'WWW-Authenticate': expect.anything() }));
        if (status === '429' || status === '503') expect(response.headers).toEqual(expect.objectContaining({ 'Retry-After': expect.anything() }));
      }
    }
    const introspect = operation('post', '/v1/tokens/introspect');
    expect(Object.values(introspect.responses['401'].content!['application/json'].examples!).map((e) => e.value.error)).toEqual(['invalid_client']);
    expect(Object.values(introspect.responses['403'].content!['application/json'].examples!).map((e) => e.value.error)).toEqual(['unauthorized_client']);
    const token = operation('post', '/oauth/token');
    expect(Object.values(token.responses['400'].content!['application/json'].examples!).map((e) => e.value.error)).toEqual(
      expect.arrayContaining(['invalid_request', 'invalid_grant', 'unsupported_grant_type']),
    );
  });

  it('documents the token endpoint (form-encoded refresh grant) and both metadata documents', () => {
    const token = operation('post', '/oauth/token');
    const body = (token.requestBody as { content: Record<string, { schema: Schema }> }).content;
    expect(Object.keys(body)).toEqual(['application/x-www-form-urlencoded']);
    const grant = schema(body['application/x-www-form-urlencoded'].schema.$ref);
    expect(grant.required).toEqual(expect.arrayContaining(['grant_type', 'refresh_token']));
    expect(grant.properties?.grant_type?.enum).toEqual(['refresh_token']);
    expect(successSchema('post', '/oauth/token', 200).required).toEqual(expect.arrayContaining(['access_token', 'token_type', 'expires_in', 'refresh_token']));
    expect(token.security ?? []).not.toContainEqual({ apiKeyIntrospect: [] });
    const metadata = successSchema('get', '/.well-known/oauth-authorization-server', 200);
    expect(successSchema('get', '/.well-known/openid-configuration', 200)).toEqual(metadata);
    expect(metadata.required).toEqual(expect.arrayContaining(['issuer', 'token_endpoint', 'response_types_supported', 'introspection_endpoint_auth_methods_supported']));
  });

  it('documents send with its body, headers, success and problem answers', () => {
    const send = operation('post', '/v1/otp/send');
    expect(successSchema('post', '/v1/otp/send', 202).required).toEqual(
      expect.arrayContaining(['verificationId', 'status', 'phone', 'channel', 'expiresAt', 'resendAvailableAt', 'attemptsRemaining']),
    );
    expect(send.responses['202'].headers).toEqual(expect.objectContaining({ 'RateLimit-Limit': expect.anything(), 'RateLimit-Remaining': expect.anything(), 'RateLimit-Reset': expect.anything() }));
    expect(send.parameters?.filter((p) => p.in === 'header').map((p) => p.name)).toEqual(expect.arrayContaining(['Idempotency-Key', 'X-End-User-IP', 'X-Captcha-Token']));
    expect(send.security).toEqual(expect.arrayContaining([{}, { apiKeyLogin: [] }]));
    const codesOf = (status: number) => Object.keys(send.responses[String(status)]?.content?.['application/problem+json']?.examples ?? {});
    expect(codesOf(400)).toEqual(expect.arrayContaining(['invalid_phone', 'validation_failed', 'captcha_required']));
    expect(codesOf(403).sort()).toEqual(['captcha_failed', 'country_not_allowed', 'forbidden', 'user_banned']);
    expect(codesOf(409)).toEqual(['idempotency_in_flight']);
    expect(codesOf(422)).toEqual(expect.arrayContaining(['number_type_not_allowed', 'idempotency_conflict']));
    expect(codesOf(429)).toEqual(expect.arrayContaining(['resend_too_soon', 'rate_limited', 'max_attempts_reached']));
    expect(codesOf(503)).toEqual(expect.arrayContaining(['provider_unavailable', 'store_unavailable', 'captcha_unavailable']));
    expect(send.responses['429'].headers).toEqual(expect.objectContaining({ 'Retry-After': expect.anything(), 'RateLimit-Limit': expect.anything() }));
    expect(doc.components.schemas.SendOtpDto.properties?.captchaToken).toMatchObject({ type: 'string', maxLength: 4096 });
    expect(doc.components.schemas.VerifyOtpDto.properties?.captchaToken).toMatchObject({ type: 'string', maxLength: 4096 });
  });

  it('documents verify, refresh, introspect and the JWKS with their success schemas and problems', () => {
    const verify = operation('post', '/v1/otp/verify');
    expect(verify.parameters?.map((p) => p.name)).toContain('X-End-User-IP');
    expect(verify.security).toEqual(expect.arrayContaining([{ apiKeyLogin: [] }]));
    expect(successSchema('post', '/v1/otp/verify', 200).required).toEqual(
      expect.arrayContaining(['status', 'tokenType', 'accessToken', 'expiresIn', 'refreshToken', 'refreshExpiresIn', 'sessionId', 'user']),
    );
    expect(Object.keys(verify.responses)).toEqual(expect.arrayContaining(['400', '404', '410', '429', '503']));
    expect(successSchema('post', '/v1/otp/verify', 200, 1).required).toEqual(expect.arrayContaining(['status', 'purpose', 'receipt', 'expiresIn', 'receiptId']));
    expect(doc.components.schemas.VerifyOtpDto.properties?.purpose?.enum).toEqual(['login', 'step_up']);
    expect(doc.components.schemas.SendOtpDto.properties).toEqual(expect.objectContaining({ purpose: expect.anything(), action: expect.anything(), amount: expect.anything(), payee: expect.anything() }));
    expect(verify.security).toEqual(expect.arrayContaining([{ bearer: [] }]));
    const phoneVerify = operation('post', '/v1/me/phone/verify');
    expect(Object.keys(phoneVerify.responses['409']?.content?.['application/problem+json']?.examples ?? {})).toContain('phone_in_use');
    expect(successSchema('post', '/v1/me/phone/verify', 200).required).toEqual(expect.arrayContaining(['accessToken', 'refreshToken', 'sessionId', 'user']));
    expect(successSchema('post', '/v1/me/phone/send', 202).required).toEqual(expect.arrayContaining(['verificationId', 'status']));

    expect(successSchema('post', '/v1/sessions/refresh', 200).required).toEqual(expect.arrayContaining(['accessToken', 'refreshToken', 'sessionId']));
    expect(Object.keys(operation('post', '/v1/sessions/refresh').responses['401'].content!['application/problem+json'].examples!)).toEqual(
      expect.arrayContaining(['invalid_refresh_token', 'refresh_token_reused']),
    );

    const introspect = operation('post', '/v1/tokens/introspect');
    // Either scheme (the key's header, or its name and the key as HTTP Basic); client_secret_post is the body's client_id and client_secret.
    expect(introspect.security).toHaveLength(2);
    expect(introspect.security).toEqual(expect.arrayContaining([{ apiKeyIntrospect: [] }, { clientSecretBasic: [] }]));
    expect(doc.components.securitySchemes.clientSecretBasic).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(Object.keys((introspect.requestBody as { content: object }).content)).toEqual(
      expect.arrayContaining(['application/json', 'application/x-www-form-urlencoded']),
    );
    expect(doc.components.schemas.IntrospectDto.properties).toEqual(expect.objectContaining({ client_id: expect.anything(), client_secret: expect.anything() }));
    expect(successSchema('post', '/v1/tokens/introspect', 200).required).toEqual(['active']);
    expect(introspect.responses['401']).toBeDefined();

    const jwk = schema(successSchema('get', '/.well-known/jwks.json', 200).properties!.keys.items!.$ref);
    expect(jwk.required).toEqual(expect.arrayContaining(['kty', 'kid', 'alg', 'use']));
    // Open to anyone, said on purpose (security: []); the optional-key reads list their two options.
    for (const [method, path] of [['post', '/v1/sessions/refresh'], ['get', '/.well-known/jwks.json'], ['get', '/health/ready'], ['get', '/metrics']]) {
      expect({ method, path, security: operation(method, path).security }).toEqual({ method, path, security: [] });
    }
    expect(operation('get', '/v1/otp/verifications/{id}').security).toEqual(expect.arrayContaining([{}, { apiKeyLogin: [] }]));
    for (const bearerRoute of [['post', '/v1/sessions/logout'], ['get', '/v1/sessions'], ['delete', '/v1/sessions/{id}']]) {
      expect(operation(bearerRoute[0], bearerRoute[1]).security).toEqual([{ bearer: [] }]);
    }
  });

  it('documents the admin routes behind the API key, with their answers and problems', async () => {
    const list = operation('get', '/v1/admin/fraud/blocks');
    const lift = operation('delete', '/v1/admin/fraud/blocks/{prefix}');
    expect([list.security, lift.security]).toEqual([[{ apiKeyAdmin: [] }], [{ apiKeyAdmin: [] }]]);
    const block = schema(successSchema('get', '/v1/admin/fraud/blocks', 200).properties!.blocks.items!.$ref);
    expect(block.required).toEqual(expect.arrayContaining(['prefix', 'since', 'until', 'sends', 'verified', 'conversion', 'renewals']));
    expect(Object.keys(lift.responses)).toEqual(expect.arrayContaining(['204', '400', '401', '404', '503']));
    expect(Object.keys(lift.responses['404'].content!['application/problem+json'].examples!)).toEqual(['not_found']);
    const listed = await t.inject({ method: 'GET', url: '/v1/admin/fraud/blocks', headers: { 'x-api-key': API_KEY } });
    expectConforms(json(listed), successSchema('get', '/v1/admin/fraud/blocks', 200));
    expectProblem(await t.inject({ method: 'DELETE', url: '/v1/admin/fraud/blocks/+919876', headers: { 'x-api-key': API_KEY } }), 404, 'not_found', 'delete', '/v1/admin/fraud/blocks/{prefix}');
    expectProblem(await t.inject({ method: 'GET', url: '/v1/admin/fraud/blocks' }), 401, 'unauthorized', 'get', '/v1/admin/fraud/blocks');
  });

  it('documents the dead-letter routes: admin scope, the listing, replay and its problems', async () => {
    const list = operation('get', '/v1/admin/events/dead-letter');
    const replay = operation('post', '/v1/admin/events/dead-letter/{id}/replay');
    expect([list.security, replay.security]).toEqual([[{ apiKeyAdmin: [] }], [{ apiKeyAdmin: [] }]]);
    expect(list.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['limit', 'before']));
    const letter = schema(successSchema('get', '/v1/admin/events/dead-letter', 200).properties!.deadLetters.items!.$ref);
    expect(letter.required).toEqual(expect.arrayContaining(['id', 'subscriber', 'eventId', 'type', 'occurredAt', 'data', 'attempts', 'lastStatus', 'lastError', 'failedAt']));
    expect(Object.keys(replay.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '404', '503']));
    const listed = await t.inject({ method: 'GET', url: '/v1/admin/events/dead-letter', headers: { 'x-api-key': API_KEY } });
    expectConforms(json(listed), successSchema('get', '/v1/admin/events/dead-letter', 200));
    expectProblem(await t.inject({ method: 'POST', url: '/v1/admin/events/dead-letter/memory_1-0/replay', headers: { 'x-api-key': API_KEY } }), 404, 'not_found', 'post', '/v1/admin/events/dead-letter/{id}/replay');
    expectProblem(await t.inject({ method: 'GET', url: '/v1/admin/events/dead-letter?limit=500', headers: { 'x-api-key': API_KEY } }), 400, 'validation_failed', 'get', '/v1/admin/events/dead-letter');
  });

  it('documents the user administration routes: admin scope, bodies, answers and problems', async () => {
    const routes: [string, string][] = [
      ['get', '/v1/admin/users'],
      ['get', '/v1/admin/users/{id}'],
      ['delete', '/v1/admin/users/{id}'],
      ['post', '/v1/admin/users/{id}/ban'],
      ['delete', '/v1/admin/users/{id}/ban'],
    ];
    for (const [method, path] of routes) {
      const documented = operation(method, path);
      expect({ method, path, security: documented.security }).toEqual({ method, path, security: [{ apiKeyAdmin: [] }] });
      expect(Object.keys(documented.responses['403'].content!['application/problem+json'].examples!)).toEqual(['forbidden']);
      expect(Object.keys(documented.responses)).toEqual(expect.arrayContaining(['401', '404', '503']));
    }
    expect(operation('get', '/v1/admin/users').parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['phone', 'country']));
    const user = successSchema('get', '/v1/admin/users/{id}', 200);
    expect(user.required).toEqual(expect.arrayContaining(['id', 'phone', 'createdAt', 'lastLoginAt', 'sessionCount', 'banned', 'ban']));
    expect(successSchema('post', '/v1/admin/users/{id}/ban', 200)).toEqual(user);
    expect(doc.components.schemas.BanUserDto.required).toEqual(['reason']);
    expect(doc.components.schemas.BanUserDto.properties?.until).toMatchObject({ format: 'date-time' });
    expect(operation('delete', '/v1/admin/users/{id}').responses['204']).toBeDefined();

    const login = await sendCode(t, '+919876512399');
    const verified = await t.inject({ method: 'POST', url: '/v1/otp/verify', payload: { verificationId: json(login).verificationId, code: t.codes.last } });
    const userId = json(verified).user.id as string;
    const headers = { 'x-api-key': API_KEY };
    expectConforms(json(await t.inject({ method: 'GET', url: `/v1/admin/users/${userId}`, headers })), user);
    const banned = await t.inject({ method: 'POST', url: `/v1/admin/users/${userId}/ban`, headers, payload: { reason: 'test', until: '2099-01-01T00:00:00Z' } });
    expectConforms(json(banned), user);
    expectConforms(json(banned).ban, schema(user.properties!.ban.$ref ?? user.properties!.ban.allOf?.[0]?.$ref));
    expectProblem(await sendCode(t, '+919876512399'), 403, 'user_banned', 'post', '/v1/otp/send');
    expectProblem(await t.inject({ method: 'GET', url: '/v1/admin/users?phone=%2B919876512398', headers }), 404, 'not_found', 'get', '/v1/admin/users');
  });

  it('matches what the routes really answer', async () => {
    const sent = await sendCode(t, '+919876512345');
    expect(sent.statusCode).toBe(202);
    expectConforms(json(sent), successSchema('post', '/v1/otp/send', 202));
    for (const header of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) expect(sent.headers[header]).toBeDefined();

    const status = await t.inject({ method: 'GET', url: `/v1/otp/verifications/${json(sent).verificationId}` });
    expectConforms(json(status), successSchema('get', '/v1/otp/verifications/{id}', 200));

    const verified = await verifyCode(t, { verificationId: json(sent).verificationId, code: t.codes.last });
    expect(verified.statusCode).toBe(200);
    expectConforms(json(verified), successSchema('post', '/v1/otp/verify', 200));
    expectConforms(json(verified).user, schema('#/components/schemas/UserResponse'));

    const refreshed = await refreshSession(t, json(verified).refreshToken);
    expect(refreshed.statusCode).toBe(200);
    expectConforms(json(refreshed), successSchema('post', '/v1/sessions/refresh', 200));

    const sessions = await t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(json(refreshed).accessToken) });
    expectConforms(json(sessions).sessions[0], schema('#/components/schemas/SessionResponse'));

    const introspected = await postJson(t, '/v1/tokens/introspect', { token: json(refreshed).accessToken }, { 'x-api-key': API_KEY });
    expect(json(introspected).active).toBe(true);
    expectConforms(json(introspected), successSchema('post', '/v1/tokens/introspect', 200));

    const jwks = await t.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    const jwk = schema(successSchema('get', '/.well-known/jwks.json', 200).properties!.keys.items!.$ref);
    for (const key of json(jwks).keys) expectConforms(key, jwk);
    expectConforms(json(await t.inject({ method: 'GET', url: '/.well-known/openid-configuration' })), successSchema('get', '/.well-known/openid-configuration', 200));
    expectConforms(json(await t.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })), successSchema('get', '/.well-known/oauth-authorization-server', 200));

    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const granted = await t.inject({ method: 'POST', url: '/oauth/token', headers: form, payload: `grant_type=refresh_token&refresh_token=${encodeURIComponent(json(refreshed).refreshToken)}` });
    expect(granted.statusCode).toBe(200);
    expectConforms(json(granted), successSchema('post', '/oauth/token', 200));
    expectOAuthError(await t.inject({ method: 'POST', url: '/oauth/token', headers: form, payload: 'grant_type=password' }), 400, 'unsupported_grant_type', 'post', '/oauth/token');

    expectProblem(
      await sendCode(t, 'not a phone'),
      400,
      'invalid_phone',
      'post',
      '/v1/otp/send',
    );
    const tooSoon = await sendCode(t, '+919876512346');
    expect(tooSoon.statusCode).toBe(202);
    const again = await sendCode(t, '+919876512346');
    expectProblem(again, 429, 'resend_too_soon', 'post', '/v1/otp/send');
    expect(again.headers['retry-after']).toBeDefined();
    expectProblem(
      await refreshSession(t, json(verified).refreshToken),
      401,
      'refresh_token_reused',
      'post',
      '/v1/sessions/refresh',
    );
    const unauthenticated = await postJson(t, '/v1/tokens/introspect', { token: 'x' });
    expectOAuthError(unauthenticated, 401, 'invalid_client', 'post', '/v1/tokens/introspect');
    expect(unauthenticated.headers['www-authenticate']).toBe('Basic realm="phone-auth"');
  });

  it('serves Swagger UI at /docs with its assets', async () => {
    const page = await t.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    const init = await t.inject({ method: 'GET', url: '/docs/swagger-ui-init.js' });
    expect(init.statusCode).toBe(200);
    expect(init.body).toContain('phone-auth');
    const bundle = await t.inject({ method: 'GET', url: '/docs/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
  });
});

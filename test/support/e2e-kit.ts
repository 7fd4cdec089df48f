import type { TokenPair } from '../../src/sessions/session.service.js';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { RedisServer, redisServerAvailable } from './redis-server.js';
import { AppSettings, json, TEST_HMAC_SECRET, TestApp, testSigningKeyPem } from './test-app.js';

// The e2e suites' one kit: the app factory (startTestApp, settings as an object), the stores a
// login-flow suite runs on, JSON requests, a login and fresh phone numbers.
export { CapturingLogger, json, startTestApp, TEST_HMAC_SECRET, testSigningKeyPem } from './test-app.js';
export type { AppSettings, TestApp } from './test-app.js';

type Headers = Record<string, string>;
/** An app, or anything else answering Fastify's inject (a second instance, a downstream app). */
type Injects = Pick<TestApp, 'inject'>;
/** What a request may set beyond its headers: the client address, for suites that spread requests over many. */
type RequestOptions = Pick<InjectOptions, 'remoteAddress'>;

export const JSON_HEADERS: Readonly<Headers> = Object.freeze({ 'content-type': 'application/json' });

export function postJson(t: Injects, url: string, body: unknown, headers: Headers = {}, options: RequestOptions = {}): Promise<LightMyRequestResponse> {
  return t.inject({ method: 'POST', url, headers: { ...JSON_HEADERS, ...headers }, payload: body as InjectOptions['payload'], ...options });
}

export const sendCode = (t: Injects, phone: string, headers: Headers = {}, options: RequestOptions = {}) =>
  postJson(t, '/v1/otp/send', { phone }, headers, options);

export const verifyCode = (t: Injects, body: unknown, headers: Headers = {}, options: RequestOptions = {}) =>
  postJson(t, '/v1/otp/verify', body, headers, options);

export const refreshSession = (t: Injects, refreshToken: string, headers: Headers = {}, options: RequestOptions = {}) =>
  postJson(t, '/v1/sessions/refresh', { refreshToken }, headers, options);

export const bearer = (accessToken: string): Headers => ({ authorization: `Bearer ${accessToken}` });

/**
 * Fresh Indian mobile numbers, `+91<block>` and a counter padded to ten digits. Suites sharing a
 * store draw from distinct blocks, so one never meets another's verifications or limits.
 */
export function phoneSequence(block: string, first = 0): () => string {
  let next = first;
  return () => `+91${block}${String(next++).padStart(10 - block.length, '0')}`;
}

/** login()'s default numbers: +91 98765 5xxxx, counted per test file. */
export const freshPhone = phoneSequence('987655');

/** The answer of a successful verify (and, without status, of a refresh): the service's own type. */
export type { TokenPair };

export type LoggedIn = TokenPair & { status: string; verificationId: string };

/**
 * Logs `phone` in on `t`: sends a code, types the one the app made and expects 202 then 200.
 * `headers` go with both requests (an API key, X-End-User-IP); the verify also names a user agent,
 * so the session has one to list. Sends on `t` must not race with it: the code read is the last made.
 */
export async function login(t: TestApp, phone = freshPhone(), headers: Headers = {}): Promise<LoggedIn> {
  const sent = await sendCode(t, phone, headers);
  expect(sent.statusCode).toBe(202);
  const verificationId = json(sent).verificationId as string;
  const verified = await verifyCode(t, { verificationId, code: t.codes.last }, { 'user-agent': 'test-agent/1', ...headers });
  expect(verified.statusCode).toBe(200);
  return { ...json<TokenPair & { status: string }>(verified), verificationId };
}

let sharedSigningKeyPem: string | undefined;

/** The issuer of every app on a shared store in the suites: the in-memory apps' default, so tokens read alike. */
export const SHARED_PUBLIC_URL = 'http://localhost:3000';

/**
 * Settings for an app on a shared store reached through `connection` (REDIS_URL, REDIS_CLUSTER_NODES,
 * REDIS_SENTINELS, with any extra settings): the HMAC secret and one signing key for every app of
 * the test file, and one PUBLIC_URL (the tokens' issuer and audience), as instances behind one
 * load balancer share them.
 */
export function sharedStoreSettings(connection: AppSettings): AppSettings {
  sharedSigningKeyPem ??= testSigningKeyPem();
  return { PUBLIC_URL: SHARED_PUBLIC_URL, ...connection, OTP_HMAC_SECRET: TEST_HMAC_SECRET, JWT_PRIVATE_KEY: sharedSigningKeyPem };
}

export interface StoreUnderTest {
  /** Suites title their blocks after it (`'... on the $name'`). */
  readonly name: 'in-memory store' | 'Redis store';
  /** What puts an app on this store; for the Redis store, valid once the file's beforeAll has started it. */
  settings(): AppSettings;
  /** The throwaway redis-server behind the Redis store; undefined for the in-memory store. */
  server(): RedisServer | undefined;
}

/**
 * The stores a login-flow suite runs on: the in-memory store, and a standalone redis-server when
 * one is on PATH (REQUIRE_REDIS=1 turns its absence into a failure). Call it at a file's top
 * level: the server then starts once before the file's tests and stops after all of them, after
 * the suites' own afterAll hooks, so their apps close while Redis still answers.
 */
export function everyStore(): StoreUnderTest[] {
  const stores: StoreUnderTest[] = [{ name: 'in-memory store', settings: () => ({}), server: () => undefined }];
  if (!redisServerAvailable) return stores;
  let server: RedisServer | undefined;
  stores.push({
    name: 'Redis store',
    settings: () => {
      if (server === undefined) throw new Error('the Redis store is used before its server started: call everyStore() at the top level');
      return sharedStoreSettings({ REDIS_URL: server.url });
    },
    server: () => server,
  });
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => server?.stop());
  return stores;
}

/**
 * `describe.each(everyStore())(title, body)`: one block per store, `$name` in the title naming
 * it. Returns the stores, for checks across them. (test/contracts' onEveryStore is the
 * repositories' counterpart, which adds a Redis Cluster.)
 */
export function describeOnEveryStore(title: string, body: (store: StoreUnderTest) => void): StoreUnderTest[] {
  const stores = everyStore();
  describe.each(stores)(title, body);
  return stores;
}

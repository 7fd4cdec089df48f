import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { ERROR_CODES, ErrorCode } from '../../src/common/errors/domain.error.js';
import { OAUTH_ERROR_CODES, oauthErrorOf, type OAuthErrorCode } from '../../src/common/errors/oauth-errors.js';
import { problemKindOf } from '../../src/common/errors/problem-details.js';
import { VerificationRepository } from '../../src/otp/verification.repository.js';
import { IdempotencyRepository } from '../../src/login/idempotency.repository.js';
import { OutboxRepository } from '../../src/providers/outbox.repository.js';
import { SessionRepository } from '../../src/sessions/session.repository.js';
import { UserRepository } from '../../src/sessions/user.repository.js';
import { FraudRepository } from '../../src/throttling/fraud.repository.js';
import type { TestApp } from '../support/e2e-kit.js';

// Shared pieces of the hardening suites: hostile values for fast-check, the well-formedness
// check every answer must pass, a bound on every request, and a view of what a store holds.

export { fcParams } from '../support/fc-params.js';

/** Every code a client may see in an error; `internal_error` is a bug by definition. */
export const CLIENT_ERROR_CODES = new Set<ErrorCode>(ERROR_CODES.filter((code) => code !== 'internal_error'));

export const TEN_KB = 10 * 1024;

/** Digits that are not ASCII digits, from several scripts, and look-alikes. */
export const UNICODE_DIGITS = ['٩٨٧٦٥٤٣٢١٠', '९८७६५४३२१०', '１２３４５６', '𝟏𝟐𝟑𝟒𝟓𝟔', '߁߂߃߄߅߆', '০১২৩৪৫', '¹²³⁴⁵⁶', '①②③④⑤⑥'];

const SPECIAL_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u0000\u0000\u0000',
  '+91987654321\u0000',
  '123456\u0000',
  '\u200f+919876543210',
  '+91\u202e9876543210',
  '+919876543210\u200e',
  '\ufeff+919876543210',
  '+٩١٩٨٧٦٥٤٣٢١٠',
  '12345６',
  ...UNICODE_DIGITS,
  'x'.repeat(TEN_KB),
  '9'.repeat(TEN_KB),
  `+91${'9'.repeat(40)}`,
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '{"$gt":""}',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  '\r\nSet-Cookie: x=1',
  '<script>alert(1)</script>',
  '${7*7}',
  'NaN',
  'Infinity',
  '-0',
  '1e308',
  'null',
  'true',
  '+919876543210',
  '+919876543210 ',
  '98765 43210',
  '+44 909 876 5432',
  '+1 800 555 0199',
  'IN',
  'in',
  'ZZ',
  'AQ',
  'sms',
  'SMS',
  'voice',
  'en',
  'hi-IN',
  'x-klingon-ZZZZZZZZ',
  '123456',
  '000000',
  '1234567890',
  `ses_${'a'.repeat(22)}.${'b'.repeat(43)}`,
  `ses_${'a'.repeat(22)}`,
  `usr_${'a'.repeat(22)}`,
  'A'.repeat(38),
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'access_token',
  'refresh_token',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...SPECIAL_STRINGS), weight: 4 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 24 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 1 },
  { arbitrary: fc.stringMatching(/^\+?[0-9]{1,16}$/), weight: 1 },
);

/** Keys for JSON objects: the prototype-pollution classics, the DTOs' own names, junk. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'phone', 'code', 'verificationId', 'refreshToken', 'token', 'admin', 'isAdmin', 'attempts', 'status', ''),
  fc.string({ maxLength: 12 }),
);

/** A JSON object as entries, so that `__proto__` and duplicate keys survive serialisation. */
export interface RawObject {
  entries: [string, JsonTree][];
}
export type JsonTree = string | number | boolean | null | JsonTree[] | RawObject;

const isRawObject = (value: unknown): value is RawObject => typeof value === 'object' && value !== null && 'entries' in value && !Array.isArray(value);

export function toJson(value: JsonTree): string {
  if (isRawObject(value)) return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${toJson(item)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  return JSON.stringify(value) ?? 'null';
}

export const hostileValue: fc.Arbitrary<JsonTree> = fc.letrec<{ value: JsonTree; object: RawObject }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    { arbitrary: hostileString, weight: 6 },
    { arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 2 ** 53, 1e308, -1e-308, 123456)), weight: 2 },
    { arbitrary: fc.boolean(), weight: 1 },
    { arbitrary: fc.constant(null), weight: 1 },
    { arbitrary: fc.array(tie('value'), { maxLength: 3 }), weight: 1 },
    { arbitrary: tie('object'), weight: 1 },
  ),
  object: fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map((entries) => ({ entries })),
})).value;

/** Raw bodies no serializer would produce. */
export const RAW_BODIES = [
  '',
  '{',
  '{"phone":',
  'null',
  '[]',
  '1e999',
  '"\\u0000"',
  '{"a":1}garbage',
  '\ufeff{"phone":"+919876543210"}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  `{"phone":${'['.repeat(3000)}${']'.repeat(3000)}}`,
  `{"phone":${'{"a":'.repeat(1500)}1${'}'.repeat(1500)}}`,
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `{"phone":"${'\\u0000'.repeat(2000)}"}`,
  `{"x":"${'y'.repeat(15 * 1024)}"}`,
  `{"x":"${'y'.repeat(20 * 1024)}"}`,
];

/**
 * A request body for a route whose DTO has `fields`: either an object mixing plausible and
 * hostile values for those fields with hostile extra keys, or any other JSON, or raw text.
 */
export function hostileBody(fields: Record<string, fc.Arbitrary<JsonTree>>): fc.Arbitrary<string> {
  const names = Object.keys(fields);
  const shaped = fc
    .tuple(
      fc.subarray(names),
      fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 2 }),
      fc.boolean(),
    )
    .chain(([chosen, extra, withExtra]) =>
      fc
        .tuple(...chosen.map((name) => fc.oneof({ arbitrary: fields[name], weight: 2 }, { arbitrary: hostileValue, weight: 3 })))
        .map((values) => toJson({ entries: [...chosen.map((name, i): [string, JsonTree] => [name, values[i]]), ...(withExtra ? extra : [])] })),
    );
  return fc.oneof(
    { arbitrary: shaped, weight: 6 },
    { arbitrary: hostileValue.map(toJson), weight: 1 },
    { arbitrary: fc.constantFrom(...RAW_BODIES), weight: 1 },
  );
}

/** Content types, mostly JSON so that bodies reach validation. */
export const hostileContentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 8 },
  {
    arbitrary: fc.constantFrom(
      undefined,
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'application/problem+json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/xml',
      '*/*',
      'application/json, text/plain',
      '',
    ),
    weight: 2,
  },
);

/** Header values Node accepts on the wire (latin1 without controls), hostile in content. */
export const hostileHeaderText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'x'.repeat(TEN_KB), 'null', 'undefined', '__proto__', '0', '-1', '%00', 'é', 'ÿÿÿÿ', '\t', 'a b c', 'a,b'),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0xa0, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 8 }),
);

/** X-End-User-IP: bogus addresses, lists, zones, ports, overlong. */
export const hostileIp: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '999.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.4, 5.6.7.8',
    '1.2.3.4:80',
    '[::1]',
    '::1',
    'fe80::1%eth0',
    '::ffff:127.0.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '01.02.03.04',
    '0x7f.0.0.1',
    '2130706433',
    'localhost',
    ' 203.0.113.9 ',
    '203.0.113.9',
    '2001:db8::1',
  ),
  hostileHeaderText,
  fc.ipV4(),
  fc.ipV6(),
);

/** Idempotency-Key junk: empty, overlong, non-ASCII, spaces, and plausible keys. */
export const hostileIdempotencyKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'k'.repeat(255), 'k'.repeat(256), 'é', 'key with spaces', '\t', 'order-42', 'order-42', 'x'.repeat(TEN_KB)),
  hostileHeaderText,
  fc.uuid(),
);

/** A path segment, percent-encoded so that the URL stays well-formed, at most 100 characters (Fastify's maxParamLength). */
export const hostileSegment = (plausible: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .oneof(plausible, hostileString, fc.constantFrom('__proto__', 'constructor', '..', '.', '%2F', ' ', 'null'))
    .map((raw) => encodeURIComponent(raw))
    .filter((segment) => segment.length > 0 && segment.length <= 100);

/** `Authorization` values around a real token. */
export function hostileAuthorization(realTokens: () => string[]): fc.Arbitrary<string | undefined> {
  const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return fc.oneof(
    fc.constant(undefined),
    hostileHeaderText,
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Bearer  ',
      'Bearer a.b.c',
      'Bearer ...',
      'Bearer ..',
      `Bearer ${'a'.repeat(TEN_KB)}.b.c`,
      `Bearer ${segment({ alg: 'none', typ: 'at+jwt' })}.${segment({ sub: 'usr_x', sid: 'ses_x' })}.`,
      `Bearer ${segment({ alg: 'ES256', kid: '__proto__', typ: 'at+jwt' })}.e30.AAAA`,
      `Bearer ${segment({ alg: 'ES256', kid: 'constructor', typ: 'at+jwt' })}.e30.AAAA`,
      `Bearer ${segment({ kid: 'constructor', typ: 'at+jwt' })}.e30.AAAA`,
      `Bearer ${segment({ alg: 'ES256', kid: { $ne: 1 }, typ: ['at+jwt'] })}.e30.AAAA`,
      `Bearer ${segment('just a string')}.e30.AAAA`,
      `Bearer ${segment(null)}.${segment(null)}.AAAA`,
      'Basic dXNlcjpwYXNz',
    ),
    fc.tuple(fc.constantFrom(...realTokens().map((_, i) => i)), fc.constantFrom('Bearer %s', 'bearer %s', 'BEARER %s', 'Bearer  %s', 'Bearer %s ', '%s', 'Bearer %s.x', 'Bearer %s,Bearer %s', 'Bearer x%s', 'Token %s')).map(
      ([index, template]) => template.replaceAll('%s', realTokens()[index] ?? ''),
    ),
  );
}

/** Rejects after `ms`: a request that takes longer is a hang. */
export async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface AnswerCheck {
  /** Strings that must never appear in the answer (API keys, tokens the request carried). */
  secrets?: string[];
  /** Where a store or provider is broken on purpose: 503 store_unavailable / provider_unavailable is expected. */
  allowUnavailable?: boolean;
}

/**
 * The contract of every answer: a success, or a 4xx problem+json whose `code` is a known one
 * with the status that code has; never a 5xx (unless a fault is played: then 503 with
 * store_unavailable or provider_unavailable).
 * Throws a readable error otherwise.
 */
export function assertWellFormed(request: InjectOptions, response: LightMyRequestResponse, check: AnswerCheck = {}): void {
  const describe = () =>
    `${request.method} ${String(request.url).slice(0, 120)} → ${response.statusCode} ${String(response.headers['content-type'])} ${response.body.slice(0, 300)}`;
  const fail = (why: string): never => {
    throw new Error(`${why}\n  ${describe()}`);
  };
  const unavailable = check.allowUnavailable === true && response.statusCode === 503;
  if (response.statusCode >= 500 && !unavailable) fail('a 5xx answer');
  if (response.statusCode < 200 || response.statusCode > 503) fail('an unexpected status');
  for (const secret of check.secrets ?? []) {
    if (secret.length >= 16 && response.body.includes(secret)) fail('the answer echoes a secret of the request');
  }
  if (response.statusCode < 400) return;
  if (request.method === 'POST' && OAUTH_PATHS.has(String(request.url).split('?')[0])) return assertOAuthError(response, unavailable, fail);
  const contentType = String(response.headers['content-type'] ?? '');
  if (!contentType.startsWith('application/problem+json')) fail('an error that is not application/problem+json');
  if (request.method === 'HEAD') return;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    return fail('a problem+json body that is not JSON');
  }
  const code = problem.code as ErrorCode;
  if (!CLIENT_ERROR_CODES.has(code)) fail(`an unknown error code ${String(code)}`);
  if (unavailable && code !== 'store_unavailable' && code !== 'provider_unavailable') fail(`a 503 with code ${code}`);
  if (problemKindOf(code).status !== response.statusCode || problem.status !== response.statusCode) fail(`status does not match code ${code}`);
  if (typeof problem.type !== 'string' || !problem.type.endsWith(`/problems/${code.replaceAll('_', '-')}`)) fail('a wrong problem type');
  if (typeof problem.title !== 'string' || typeof problem.detail !== 'string') fail('a problem without title or detail');
  if ((response.statusCode === 429 || response.statusCode === 503) && !/^\d+$/.test(String(response.headers['retry-after'] ?? ''))) {
    fail('a 429 or 503 without Retry-After');
  }
  if (/at .*\.(ts|js):\d+/.test(response.body)) fail('a stack trace in the body');
}

/** The OAuth endpoints (POST): their errors are RFC 6749 §5.2 JSON, not problem+json. */
const OAUTH_PATHS = new Set(['/v1/tokens/introspect', '/oauth/token']);

/** Each (status, OAuth error) pair the exhaustive mapping can give a client; `server_error` is a bug. */
const OAUTH_ANSWERS = new Set(ERROR_CODES.map((code) => oauthErrorOf(code)).filter(({ error }) => error !== 'server_error').map(({ status, error }) => `${status} ${error}`));

function assertOAuthError(response: LightMyRequestResponse, unavailable: boolean, fail: (why: string) => never): void {
  if (!String(response.headers['content-type'] ?? '').startsWith('application/json')) fail('an OAuth error that is not application/json');
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    return fail('an OAuth error body that is not JSON');
  }
  const error = body.error as OAuthErrorCode;
  if (!OAUTH_ERROR_CODES.includes(error) || !OAUTH_ANSWERS.has(`${response.statusCode} ${error}`)) fail(`an unexpected OAuth error ${String(error)}`);
  if (unavailable && error !== 'temporarily_unavailable') fail(`a 503 with error ${error}`);
  if (typeof body.error_description !== 'string' || !/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(body.error_description)) fail('an error_description outside RFC 6749\'s characters');
  if (response.statusCode === 401 && !String(response.headers['www-authenticate'] ?? '').startsWith('Basic ')) fail('a 401 without a Basic challenge');
  if ((response.statusCode === 429 || response.statusCode === 503) && !/^\d+$/.test(String(response.headers['retry-after'] ?? ''))) fail('a 429 or 503 without Retry-After');
  if (/at .*\.(ts|js):\d+/.test(response.body)) fail('a stack trace in the body');
}

/** What a store holds that requests may change: compared before and after a refused request. */
export interface StateProbe {
  snapshot(): Promise<string>;
}

/** The in-memory repositories' maps and sets, serialised (the rate-limit counters excluded: they count refusals by design). */
export function memoryState(t: TestApp): StateProbe {
  const repositories = [VerificationRepository, OutboxRepository, SessionRepository, UserRepository, IdempotencyRepository, FraudRepository].map(
    (token) => [token.name, t.app.get(token as never, { strict: false }) as object] as const,
  );
  const replacer = (_key: string, value: unknown) =>
    value instanceof Map ? { map: [...value.entries()] } : value instanceof Set ? { set: [...value.values()] } : value;
  return {
    async snapshot() {
      return JSON.stringify(
        repositories.map(([name, repository]) => [
          name,
          Object.entries(repository).filter(([, value]) => value instanceof Map || value instanceof Set),
        ]),
        replacer,
      );
    },
  };
}

/** Every key under the prefix but the rate-limit counters, with its serialised value (DUMP). */
export function redisState(client: () => Redis, prefix = 'phone-auth:'): StateProbe {
  return {
    async snapshot() {
      const redis = client();
      const keys = (await redis.keys(`${prefix}*`)).filter((key) => !key.startsWith(`${prefix}throttle:`)).sort();
      if (keys.length === 0) return '';
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.dumpBuffer(key);
      const dumps = (await pipeline.exec()) ?? [];
      return keys.map((key, i) => `${key}=${(dumps[i]?.[1] as Buffer | null)?.toString('base64') ?? ''}`).join('\n');
    },
  };
}

/** Requests print short in fast-check's counterexamples (a 10 kB body would drown the report). */
export function printable(arbitrary: fc.Arbitrary<InjectOptions>): fc.Arbitrary<InjectOptions> {
  const clip = (value: unknown) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
    return text.length > 160 ? `${JSON.stringify(text.slice(0, 160))}… (${text.length} chars)` : JSON.stringify(text);
  };
  return arbitrary.map((request) =>
    Object.defineProperty(request, fc.toStringMethod, {
      enumerable: false,
      value: () =>
        `${request.method} ${clip(request.url)} headers=${clip(request.headers ?? {})}${request.payload === undefined ? '' : ` payload=${clip(request.payload)}`}`,
    }),
  );
}

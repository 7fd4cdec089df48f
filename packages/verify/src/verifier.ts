import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { TokenError } from './errors.js';
import { createIntrospection, type Introspect, type IntrospectionOptions } from './introspection.js';
import { verifyJwt } from './jwt-checks.js';
import { createKeySet, type KeySetOptions } from './key-set.js';

/** The claims phone-auth puts in an access token (RFC 9068 plus the OpenID Connect phone claims). */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  exp: number;
  iat: number;
  sid: string;
  auth_time: number;
  amr: string[];
  phone_number: string;
  phone_number_verified: boolean;
  client_id?: string;
}

export interface VerifierOptions {
  /** phone-auth's PUBLIC_URL, the exact `iss` of its tokens. */
  issuer: string;
  /** The `aud` to require: phone-auth's JWT_AUDIENCE (which defaults to its PUBLIC_URL). */
  audience: string | string[];
  /** Default `<issuer>/.well-known/jwks.json`. */
  jwksUri?: string;
  /** Signature algorithms to accept: what phone-auth's JWT_ALGORITHM is. Default `['ES256']`. Never `none` or HS*. */
  algorithms?: string[];
  /** Leeway on `exp`, `nbf` and `iat` for clock skew between the hosts. Default 30. */
  clockToleranceSeconds?: number;
  /** Key-set caching (see KeySetOptions). */
  jwks?: KeySetOptions;
  /** A key set of your own instead of fetching `jwksUri` (jose's createLocalJWKSet, or one shared by verifiers). */
  keySet?: JWTVerifyGetKey;
  /**
   * Also ask phone-auth (RFC 7662) about each token that passed the local checks, so that a logout
   * or revocation takes effect at once rather than when the token expires (10 minutes by default).
   * One HTTP call per request: use it where that matters (payments, account changes).
   */
  introspection?: IntrospectionOptions;
  /** The clock, in milliseconds (tests). Default Date.now. The key set's cache follows Date.now regardless. */
  now?: () => number;
}

export interface Verifier {
  /** The resolved key set: pass it to createStepUpVerifier to share one cache. */
  readonly keySet: JWTVerifyGetKey;
  readonly issuer: string;
  readonly audience: string | string[];
  readonly algorithms: string[];
  readonly clockToleranceSeconds: number;
  /** Checks an access token; throws TokenError (401) or VerifierUnavailableError (503). */
  verify(token: string | undefined): Promise<AccessTokenClaims>;
  /** Reads `Authorization: Bearer <jwt>` then verifies it. */
  verifyAuthorization(header: string | string[] | null | undefined): Promise<AccessTokenClaims>;
}

export const DEFAULT_ALGORITHMS: readonly string[] = ['ES256'];
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
const ACCESS_TOKEN_TYPE = 'at+jwt';
const FORBIDDEN_ALGORITHMS = /^(none|HS\d+)$/i;

/**
 * A verifier of phone-auth access tokens: signature with a published key chosen by `kid`, the
 * algorithm allow-list, `typ: at+jwt`, `iss`, `aud`, `exp`/`nbf`/`iat`, and optionally introspection.
 * Create one per process and share it: it holds the key-set cache.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const { issuer } = options;
  const algorithms = checkedAlgorithms(options);
  const clockToleranceSeconds = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const keySet = options.keySet ?? createKeySet(options.jwksUri ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`, options.jwks);
  const introspect: Introspect | undefined = options.introspection && createIntrospection(issuer, options.introspection);
  const now = options.now ?? Date.now;

  const verify = async (token: string | undefined): Promise<AccessTokenClaims> => {
    if (!token) throw new TokenError('missing_token', 'no access token');
    const claims = await verifyJwt<AccessTokenClaims>(token, keySet, {
      issuer,
      audience: options.audience,
      algorithms,
      typ: ACCESS_TOKEN_TYPE,
      clockToleranceSeconds,
      requiredClaims: ['iss', 'exp', 'iat', 'sub', 'sid'],
      now,
    });
    if (introspect) {
      // Only after the local checks: a forged token never costs a call to phone-auth.
      const result = await introspect(token);
      if (!result.active || (result.sub !== undefined && result.sub !== claims.sub)) throw new TokenError('inactive', 'the token\'s session has ended');
    }
    return claims;
  };

  return {
    keySet,
    issuer,
    audience: options.audience,
    algorithms,
    clockToleranceSeconds,
    verify,
    verifyAuthorization: (header) => verify(bearerToken(header)),
  };
}

// A misconfiguration fails at startup, not as every request refused.
function checkedAlgorithms(options: VerifierOptions): string[] {
  if (!options.issuer) throw new TypeError("createVerifier needs the issuer (phone-auth's PUBLIC_URL)");
  if (!options.audience || (Array.isArray(options.audience) && options.audience.length === 0)) throw new TypeError('createVerifier needs an audience');
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  const refused = algorithms.filter((alg) => FORBIDDEN_ALGORITHMS.test(alg));
  if (algorithms.length === 0 || refused.length > 0) {
    throw new TypeError(`algorithms must be asymmetric ones phone-auth signs with, not ${refused.join(', ') || 'none at all'}`);
  }
  return algorithms;
}

/** The token of an `Authorization: Bearer <compact JWS>` header (RFC 6750 2.1), or undefined. */
export function bearerToken(header: string | string[] | null | undefined): string | undefined {
  if (typeof header !== 'string' || header.length > 8 * 1024 + 7) return undefined;
  return /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i.exec(header.trim())?.[1];
}

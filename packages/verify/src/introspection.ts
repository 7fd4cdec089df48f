import { VerifierUnavailableError } from './errors.js';

/**
 * How this service authenticates to phone-auth's introspection endpoint:
 * - `x-api-key`: phone-auth's API key (an `API_KEYS` entry with the `introspect` scope) in `X-API-Key`;
 *   `clientSecret` is the key, `clientId` is ignored.
 * - `client_secret_basic`: RFC 6749 2.3.1 HTTP Basic with `clientId` and `clientSecret`.
 */
export type IntrospectionAuth = 'x-api-key' | 'client_secret_basic';

export interface IntrospectionOptions {
  /** Default `<issuer>/v1/tokens/introspect`. */
  url?: string;
  clientId?: string;
  clientSecret: string;
  /** Default `x-api-key`, what phone-auth accepts today. */
  auth?: IntrospectionAuth;
  /** Abort a call after this long (then 503, not 401). Default 5 000. */
  timeoutMs?: number;
  /** Default the global fetch; tests and proxies may pass their own. */
  fetch?: typeof fetch;
}

/** What RFC 7662 answers; phone-auth adds its token claims when `active` is true. */
export interface IntrospectionResult {
  active: boolean;
  sub?: string;
  sid?: string;
  jti?: string;
  [claim: string]: unknown;
}

export type Introspect = (token: string) => Promise<IntrospectionResult>;

/** An RFC 7662 client: POSTs the token as a form and reads `active`. Any failure to ask is VerifierUnavailableError. */
export function createIntrospection(issuer: string, options: IntrospectionOptions): Introspect {
  const url = options.url ?? `${issuer.replace(/\/+$/, '')}/v1/tokens/introspect`;
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...authHeaders(options) };
  const timeoutMs = options.timeoutMs ?? 5_000;
  const fetchFn = options.fetch ?? fetch;
  return async (token) => {
    let response: Response;
    try {
      response = await fetchFn(url, {
        method: 'POST',
        headers,
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new VerifierUnavailableError(`phone-auth introspection is unreachable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    // 401/403 mean this service's own credentials are wrong: an operator's problem, not the caller's.
    if (response.status !== 200) throw new VerifierUnavailableError(`phone-auth introspection answered ${response.status}`);
    const body = (await response.json().catch(() => undefined)) as IntrospectionResult | undefined;
    if (typeof body?.active !== 'boolean') throw new VerifierUnavailableError('phone-auth introspection answered without "active"');
    return body;
  };
}

function authHeaders(options: IntrospectionOptions): Record<string, string> {
  const auth = options.auth ?? 'x-api-key';
  switch (auth) {
    case 'x-api-key':
      return { 'x-api-key': options.clientSecret };
    case 'client_secret_basic': {
      if (!options.clientId) throw new TypeError('introspection with client_secret_basic needs a clientId');
      // RFC 6749 2.3.1: each part form-encoded before the base64.
      const form = (part: string) => encodeURIComponent(part).replace(/%20/g, '+');
      return { authorization: `Basic ${btoa(`${form(options.clientId)}:${form(options.clientSecret)}`)}` };
    }
    default:
      throw new TypeError(`unknown introspection auth ${String(auth satisfies never)}`);
  }
}

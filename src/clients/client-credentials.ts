import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain.error.js';

/** How an internal service authenticated: its X-API-Key, or RFC 6749 §2.3.1 client credentials. */
export type ClientCredentials =
  | { method: 'api_key'; apiKey: string; clientId?: string }
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; clientSecret: string };

const invalidRequest = (detail: string) =>
  new DomainError('validation_failed', detail, { errors: [{ field: 'client authentication', message: detail }] });
const invalidClient = (detail: string) => new DomainError('unauthorized', detail);

/** RFC 6749 §2.3.1: the name and secret are form-urlencoded before base64, so `+` is a space and `%3A` a colon. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** `Authorization: Basic base64(urlencode(id):urlencode(secret))`; undefined without a Basic header. */
function basicCredentials(request: FastifyRequest): { clientId: string; clientSecret: string } | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const [scheme, value, extra] = header.trim().split(/\s+/);
  if (scheme.toLowerCase() !== 'basic') return undefined;
  if (value === undefined || extra !== undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw invalidClient('The Basic credentials are malformed.');
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const clientId = colon > 0 ? formDecode(decoded.slice(0, colon)) : undefined;
  const clientSecret = colon > 0 ? formDecode(decoded.slice(colon + 1)) : undefined;
  if (clientId === undefined || clientSecret === undefined || clientSecret === '') throw invalidClient('The Basic credentials are malformed.');
  return { clientId, clientSecret };
}

/** A body member, when the body is an object; a member of another type than string is malformed. */
function bodyField(request: FastifyRequest, name: 'client_id' | 'client_secret'): string | undefined {
  const body = request.body;
  if (body === null || typeof body !== 'object' || !Object.hasOwn(body, name)) return undefined;
  const value = (body as Record<string, unknown>)[name];
  if (typeof value !== 'string' || value === '') throw invalidRequest(`${name} must be a non-empty string.`);
  return value;
}

function apiKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers['x-api-key'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The one set of credentials the request carries (X-API-Key, Basic, or `client_id` and
 * `client_secret` in the body). RFC 6749 §2.3: more than one method is `invalid_request`; a body
 * `client_id` beside another method must name the same client. No credentials at all:
 * `unauthorized` (an OAuth endpoint answers `invalid_client` with a Basic challenge).
 */
export function clientCredentialsOf(request: FastifyRequest): ClientCredentials {
  const apiKey = apiKeyOf(request);
  const basic = basicCredentials(request);
  const postedId = bodyField(request, 'client_id');
  const postedSecret = bodyField(request, 'client_secret');
  const methods = [apiKey, basic, postedSecret].filter((method) => method !== undefined).length;
  if (methods > 1) throw invalidRequest('Authenticate the client with one method only: X-API-Key, HTTP Basic, or client_id and client_secret in the body.');
  if (basic !== undefined) {
    if (postedId !== undefined && postedId !== basic.clientId) throw invalidRequest('client_id in the body does not name the client of the Basic credentials.');
    return { method: 'client_secret_basic', ...basic };
  }
  if (postedSecret !== undefined) {
    if (postedId === undefined) throw invalidRequest('client_secret needs its client_id.');
    return { method: 'client_secret_post', clientId: postedId, clientSecret: postedSecret };
  }
  if (apiKey !== undefined) return { method: 'api_key', apiKey, clientId: postedId };
  throw invalidClient('Authenticate the client: HTTP Basic (client_secret_basic), client_id and client_secret in the body (client_secret_post), or an X-API-Key header.');
}

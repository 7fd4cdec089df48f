import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import type { ApiScope } from './api-client.js';

export const REQUIRED_SCOPE = 'phoneAuth:requiredScope';

/** The OpenAPI security scheme of RFC 6749 §2.3.1 HTTP Basic client credentials (an API key's name and the key). */
export const CLIENT_SECRET_BASIC_SCHEME = 'clientSecretBasic';

/** The OpenAPI security scheme of API keys holding `scope` (one scheme per scope: OpenAPI 3.0 gives API keys no scopes). */
export function apiKeySchemeOf(scope: ApiScope): string {
  return `apiKey${scope[0].toUpperCase()}${scope.slice(1)}`;
}

/**
 * The scope an API key needs on a route (handler or controller), read by ApiKeyGuard and
 * OptionalApiKeyGuard: a key without it is `403 forbidden`. `documented: false` leaves the
 * OpenAPI security to the route (a route open to everyone lists its anonymous option too).
 */
export function RequiresScope(scope: ApiScope, options: { documented?: boolean } = {}) {
  const metadata = SetMetadata(REQUIRED_SCOPE, scope);
  return options.documented === false ? metadata : applyDecorators(metadata, ApiSecurity(apiKeySchemeOf(scope)));
}

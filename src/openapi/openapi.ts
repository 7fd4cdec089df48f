import { readFileSync } from 'node:fs';
import type { ConfigType } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { ApiScope } from '../clients/api-client.js';
import { apiKeySchemeOf, CLIENT_SECRET_BASIC_SCHEME } from '../clients/requires-scope.decorator.js';
import { appConfig, publicUrlOf } from '../config/app.config.js';
import { FieldErrorSchema, ProblemDetails } from './problem-details.schema.js';

export const DOCS_PATH = '/docs';
export const OPENAPI_JSON_PATH = '/docs/openapi.json';

/** Swagger UI loads its scripts from /docs and styles itself inline; nothing leaves the origin. */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DESCRIPTION = `Phone-number login: send a one-time code by SMS, verify it, receive a short-lived JWT access
token (ES256, \`typ: at+jwt\`) and a rotating refresh token. Other services verify access tokens
against the JWKS at \`/.well-known/jwks.json\`.

**Errors.** Every 4xx and 5xx answer is \`application/problem+json\` (RFC 9457, schema
\`ProblemDetails\`); its \`code\` is stable: program against it. The two OAuth endpoints
(introspection and \`/oauth/token\`) answer OAuth errors instead (RFC 6749 §5.2,
\`application/json\`, schema \`OAuthError\`), as OAuth client libraries expect. Every 429 and 503 carries
\`Retry-After\` (seconds), also given as \`retryAfterSeconds\`.

**Limits.** Send, verify and refresh are limited per IP and send \`RateLimit-Limit\`,
\`RateLimit-Remaining\` and \`RateLimit-Reset\` on every answer.

**Internal services** authenticate with \`X-API-Key\`; on send and verify they may act for an end
user, passing the user's address in \`X-End-User-IP\`. A key holds scopes (\`login\`,
\`introspect\`, \`admin\`); each operation names the one it needs by its security scheme
(\`apiKeyLogin\`, \`apiKeyIntrospect\`, \`apiKeyAdmin\`), and a key without it gets 403 \`forbidden\`.`;

/** One scheme per scope, all the same header: an operation lists the scope it needs by naming its scheme. */
function apiKeyScheme(scope: ApiScope, what: string): Parameters<DocumentBuilder['addApiKey']>[0] {
  return {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: `An internal service's key holding the \`${scope}\` scope (${what}); \`npm run apikey -- NAME ${scope}\`. A valid key without it is 403 \`forbidden\`.`,
  };
}

function packageVersion(): string {
  try {
    // src/openapi/ and dist/openapi/ are both two levels below the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '1';
  } catch {
    return '1';
  }
}

/** Builds the OpenAPI 3 document from the application's controllers. Call after the app is created. */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const { publicUrl, port } = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  // Without PUBLIC_URL the service does not know the address clients reach: a relative server
  // (where this document is served from) rather than a localhost no other machine can call.
  const server = publicUrl === publicUrlOf({ PUBLIC_URL: undefined, PORT: port })
    ? { url: '/', description: 'Where this document is served from (PUBLIC_URL is not set).' }
    : { url: publicUrl };
  const config = new DocumentBuilder()
    .setTitle('phone-auth')
    .setDescription(DESCRIPTION)
    .setVersion(packageVersion())
    .setLicense('MIT', 'https://opensource.org/license/mit')
    .addServer(server.url, server.description)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from verify or refresh.' }, 'bearer')
    .addApiKey(apiKeyScheme('login', 'send and verify codes on behalf of end users'), apiKeySchemeOf('login'))
    .addApiKey(apiKeyScheme('introspect', 'introspect access tokens'), apiKeySchemeOf('introspect'))
    .addApiKey(apiKeyScheme('admin', 'administer users, sessions and fraud blocks'), apiKeySchemeOf('admin'))
    .addBasicAuth(
      {
        type: 'http',
        scheme: 'basic',
        description:
          'RFC 6749 §2.3.1 client credentials at introspection (`client_secret_basic`): an API key\'s name as the user name and the key as the password, each form-urlencoded. The key needs the `introspect` scope. The same pair in the body is `client_secret_post`.',
      },
      CLIENT_SECRET_BASIC_SCHEME,
    )
    .addTag('otp', 'Send and verify one-time codes')
    .addTag('sessions', 'Refresh tokens and the caller\'s sessions')
    .addTag('internal', 'For internal services holding an API key')
    .addTag('oauth', 'The RFC 6749 token endpoint, for OAuth client libraries')
    .addTag('well-known', 'Keys and discovery for services that validate tokens')
    .addTag('development', 'Development only: 404 in production')
    .build();
  return SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetails, FieldErrorSchema],
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}

/**
 * Serves Swagger UI at /docs and the document at /docs/openapi.json. The document is built on the
 * first request, once every module's controllers are registered. Call before `app.init()`:
 * the routes and the static plugin for Swagger UI's assets go onto Fastify directly.
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      if (request.url === DOCS_PATH || request.url.startsWith(`${DOCS_PATH}/`)) {
        void reply.header('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
      }
      done();
    });
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'phone-auth API',
    swaggerOptions: { persistAuthorization: false, displayOperationId: false, tryItOutEnabled: false },
  });
}

import { rejection } from './http.js';
import type { AccessTokenClaims, Verifier } from './verifier.js';

/**
 * Next.js (App Router) helpers on the Web Request/Response API: no `next` import, so they run in
 * route handlers and in `proxy.ts` (middleware) alike, on Node or the edge runtime.
 */

export type Authenticated = { ok: true; claims: AccessTokenClaims } | { ok: false; response: Response };

/** Verifies the request's `Authorization: Bearer`: the claims, or the 401/503 Response to return. */
export async function authenticate(verifier: Verifier, request: Request): Promise<Authenticated> {
  try {
    return { ok: true, claims: await verifier.verifyAuthorization(request.headers.get('authorization')) };
  } catch (error) {
    return { ok: false, response: rejectionResponse(error) };
  }
}

/** The Response for a refusal (TokenError 401, StepUpError 403, VerifierUnavailableError 503); rethrows anything else. */
export function rejectionResponse(error: unknown): Response {
  const answer = rejection(error);
  if (answer === undefined) throw error;
  return Response.json(answer.body, { status: answer.status, headers: { ...answer.headers, 'cache-control': 'no-store' } });
}

/**
 * Wraps a route handler: it runs only with a valid access token, and gets its claims.
 *
 *     export const GET = withAccessToken(verifier, async (request, claims) => Response.json({ sub: claims.sub }));
 */
export function withAccessToken<Context = unknown>(
  verifier: Verifier,
  handler: (request: Request, claims: AccessTokenClaims, context: Context) => Response | Promise<Response>,
) {
  return async (request: Request, context: Context): Promise<Response> => {
    const result = await authenticate(verifier, request);
    return result.ok ? handler(request, result.claims, context) : result.response;
  };
}

/**
 * For `proxy.ts` (Next 16's middleware): returns the 401/503 Response for a request without a
 * valid access token, and undefined (carry on) otherwise.
 *
 *     const guard = accessTokenProxy(verifier);
 *     export async function proxy(request: Request) { return guard(request); }
 *     export const config = { matcher: '/api/:path*' };
 */
export function accessTokenProxy(verifier: Verifier) {
  return async (request: Request): Promise<Response | undefined> => {
    const result = await authenticate(verifier, request);
    return result.ok ? undefined : result.response;
  };
}

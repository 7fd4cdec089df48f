import type { IncomingMessage, ServerResponse } from 'node:http';
import { rejection } from './http.js';
import type { AccessTokenClaims, Verifier } from './verifier.js';

export type RequestWithUser = IncomingMessage & { user?: AccessTokenClaims };

export interface ExpressAuthOptions {
  /** Called with every refusal (TokenError, VerifierUnavailableError) before the answer: log `error.reason` here. */
  onRejected?: (error: Error, request: IncomingMessage) => void;
}

type Next = (error?: unknown) => void;

/**
 * Express (4 or 5) middleware: verifies `Authorization: Bearer`, puts the claims on `req.user`,
 * and answers 401 (`WWW-Authenticate: Bearer error="invalid_token"`) or 503 itself. Typed on
 * Node's request and response, so it needs no Express types.
 *
 *     app.get('/me', requireAccessToken(verifier), (req, res) => res.json(req.user));
 */
export function requireAccessToken(verifier: Verifier, options: ExpressAuthOptions = {}) {
  return (request: IncomingMessage, response: ServerResponse, next: Next): void => {
    verifier.verifyAuthorization(request.headers.authorization).then(
      (claims) => {
        (request as RequestWithUser).user = claims;
        next();
      },
      (error: unknown) => {
        const answer = rejection(error);
        if (answer === undefined) return next(error);
        options.onRejected?.(error as Error, request);
        response.statusCode = answer.status;
        for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
        response.setHeader('content-type', 'application/json; charset=utf-8');
        response.setHeader('cache-control', 'no-store');
        response.end(JSON.stringify(answer.body));
      },
    );
  };
}

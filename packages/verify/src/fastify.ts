import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { rejection } from './http.js';
import type { AccessTokenClaims, Verifier } from './verifier.js';

// `phoneAuth`, not `user`: @fastify/jwt declares `request.user` with its own type, and an app may use both.
declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access token's claims, set by phone-auth's hook. */
    phoneAuth?: AccessTokenClaims;
  }
}

export interface FastifyAuthOptions {
  /** Called with every refusal (TokenError, VerifierUnavailableError) before the answer: log `error.reason` here. */
  onRejected?: (error: Error, request: FastifyRequest) => void;
}

/**
 * A Fastify hook (`onRequest` or `preHandler`) that verifies `Authorization: Bearer`, puts the
 * claims on `request.phoneAuth`, or answers 401 (`WWW-Authenticate: Bearer error="invalid_token"`) / 503.
 *
 *     app.get('/me', { onRequest: accessTokenHook(verifier) }, async (request) => request.phoneAuth);
 */
export function accessTokenHook(verifier: Verifier, options: FastifyAuthOptions = {}) {
  return async function phoneAuthAccessToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      request.phoneAuth = await verifier.verifyAuthorization(request.headers.authorization);
    } catch (error) {
      const answer = rejection(error);
      if (answer === undefined) throw error;
      options.onRejected?.(error as Error, request);
      await reply.code(answer.status).headers({ ...answer.headers, 'cache-control': 'no-store' }).send(answer.body);
    }
  };
}

export interface PhoneAuthPluginOptions extends FastifyAuthOptions {
  verifier: Verifier;
}

/**
 * A plugin that guards every route of the scope it is registered in (and that scope's children):
 *
 *     app.register(async (api) => {
 *       await api.register(phoneAuthPlugin, { verifier });
 *       api.get('/me', async (request) => request.phoneAuth);
 *     });
 */
export async function phoneAuthPlugin(instance: FastifyInstance, options: PhoneAuthPluginOptions): Promise<void> {
  if (!instance.hasRequestDecorator('phoneAuth')) instance.decorateRequest('phoneAuth', undefined);
  instance.addHook('onRequest', accessTokenHook(options.verifier, options));
}
// What fastify-plugin sets: the hook applies to the registering scope, not only to an inner one.
Object.assign(phoneAuthPlugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'phone-auth' });

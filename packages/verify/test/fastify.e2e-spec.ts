import Fastify, { type FastifyInstance } from 'fastify';
import { createVerifier, type VerifierOptions } from '@phone-auth/verify';
import { accessTokenHook, phoneAuthPlugin } from '@phone-auth/verify/fastify';
import { adapterContract, type GuardedApp } from './adapter-contract.js';

function served(app: FastifyInstance): GuardedApp {
  return {
    async me(authorization) {
      const response = await app.inject({ method: 'GET', url: '/me', headers: authorization ? { authorization } : {} });
      const challenge = response.headers['www-authenticate'];
      return { status: response.statusCode, wwwAuthenticate: typeof challenge === 'string' ? challenge : null, body: response.body };
    },
    close: () => app.close(),
  };
}

describe('phoneAuthPlugin (Fastify)', () => {
  adapterContract({
    async start(options: VerifierOptions) {
      const app = Fastify();
      // The plugin guards the scope it is registered in: /me here, not /health beside it.
      await app.register(async (api) => {
        await api.register(phoneAuthPlugin, { verifier: createVerifier(options) });
        api.get('/me', async (request) => ({ sub: request.phoneAuth!.sub, phone_number: request.phoneAuth!.phone_number }));
      });
      app.get('/health', async () => ({ ok: true }));
      await app.ready();
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      return served(app);
    },
  });
});

describe('accessTokenHook (Fastify)', () => {
  adapterContract({
    async start(options: VerifierOptions) {
      const app = Fastify();
      app.get('/me', { onRequest: accessTokenHook(createVerifier(options)) }, async (request) => ({
        sub: request.phoneAuth!.sub,
        phone_number: request.phoneAuth!.phone_number,
      }));
      await app.ready();
      return served(app);
    },
  });
});

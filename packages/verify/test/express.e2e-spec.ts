import type { AddressInfo } from 'node:net';
import express from 'express';
import { createVerifier } from '@phone-auth/verify';
import { requireAccessToken, type RequestWithUser } from '@phone-auth/verify/express';
import { adapterContract, type GuardedApp } from './adapter-contract.js';

async function startExpress(options: Parameters<typeof createVerifier>[0]): Promise<GuardedApp> {
  const app = express();
  app.get('/me', requireAccessToken(createVerifier(options)), (request, response) => {
    const { user } = request as unknown as RequestWithUser;
    response.json({ sub: user!.sub, phone_number: user!.phone_number });
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/me`;
  return {
    async me(authorization) {
      const response = await fetch(url, { headers: authorization ? { authorization } : {} });
      return { status: response.status, wwwAuthenticate: response.headers.get('www-authenticate'), body: await response.text() };
    },
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

describe('requireAccessToken (Express)', () => {
  adapterContract({ start: startExpress });
});

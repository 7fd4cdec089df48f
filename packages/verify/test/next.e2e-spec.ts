import { createVerifier, type VerifierOptions } from '@phone-auth/verify';
import { accessTokenProxy, withAccessToken } from '@phone-auth/verify/next';
import { adapterContract, type Answer } from './adapter-contract.js';
import { decode } from './phone-auth.fixture.js';

// Next.js route handlers and proxy.ts take a Web Request and give a Response: these run them as
// Next does, without Next.

async function answer(response: Response): Promise<Answer> {
  return { status: response.status, wwwAuthenticate: response.headers.get('www-authenticate'), body: await response.text() };
}

const request = (authorization?: string) => new Request('http://downstream.test/me', { headers: authorization ? { authorization } : {} });

describe('withAccessToken (Next.js route handler)', () => {
  adapterContract({
    async start(options: VerifierOptions) {
      const GET = withAccessToken(createVerifier(options), async (_request, claims) => Response.json({ sub: claims.sub, phone_number: claims.phone_number }));
      return { me: async (authorization) => answer(await GET(request(authorization), {})), close: async () => undefined };
    },
  });
});

describe('accessTokenProxy (Next.js proxy.ts)', () => {
  adapterContract({
    async start(options: VerifierOptions) {
      const proxy = accessTokenProxy(createVerifier(options));
      // What Next does with the proxy's answer: undefined lets the request through to the route.
      // The route behind it reads the claims unverified: it runs only after the proxy let it through.
      const route = (authorization: string) => {
        const claims = decode(authorization.slice('Bearer '.length)).payload;
        return Response.json({ sub: claims.sub, phone_number: claims.phone_number });
      };
      return {
        me: async (authorization) => answer((await proxy(request(authorization))) ?? route(authorization!)),
        close: async () => undefined,
      };
    },
  });
});

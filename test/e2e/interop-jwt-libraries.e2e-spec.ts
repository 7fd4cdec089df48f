import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { expressjwt, UnauthorizedError, type Request as JwtRequest } from 'express-jwt';
import fastifyJwt, { type TokenOrHeader } from '@fastify/jwt';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import buildGetJwks from 'get-jwks';
import { expressJwtSecret, passportJwtSecret } from 'jwks-rsa';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import { type ListeningPhoneAuth, loginWithReceipt, startListeningPhoneAuth } from '../support/interop.js';

// The JWT libraries downstream services use, each installed from the registry and configured as
// the README says, validating access tokens of a real login against phone-auth's JWKS over HTTP.
// Each must refuse a step-up receipt: same keys, `iss` and `aud`, but `typ: step-up+jwt`. None of
// passport-jwt, express-jwt checks `typ` by itself; @fastify/jwt does with `checkTyp`. Each is
// also run without its `typ` check, which then lets the receipt through: the check is what refuses it.

/** A downstream app protecting `GET /me`: answers the token's `sub` with 200, anything else 401. */
interface Downstream {
  me(token: string): Promise<{ status: number; sub?: string }>;
  close(): Promise<void>;
}

interface Settings {
  issuer: string;
  jwksUri: string;
  /** The README's `typ` check; false only to show that it is what refuses a receipt. */
  checkTyp: boolean;
}

/** The protected header of a compact JWS, unverified: only to refuse a wrong `typ` before the key is fetched. */
function headerOf(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function listen(app: express.Express): Promise<Downstream> {
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/me`;
  return {
    async me(token) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, ...(response.status === 200 ? ((await response.json()) as { sub: string }) : {}) };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** passport-jwt + jwks-rsa: the `typ` check wraps jwks-rsa's key provider. */
async function passportJwt({ issuer, jwksUri, checkTyp }: Settings): Promise<Downstream> {
  const keys = passportJwtSecret({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 });
  const options: StrategyOptionsWithoutRequest = {
    jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
    secretOrKeyProvider: checkTyp
      ? (request, token, done) => (headerOf(token as string).typ === 'at+jwt' ? keys(request, token, done) : done(new Error('not an access token (typ)')))
      : keys,
    issuer,
    audience: issuer,
    algorithms: ['ES256'],
  };
  const passport = new Passport();
  passport.use(new JwtStrategy(options, (payload: { sub: string }, done: (error: unknown, user: unknown) => void) => done(null, { sub: payload.sub })));
  const app = express();
  app.get('/me', passport.authenticate('jwt', { session: false }), (request, response) => {
    response.json({ sub: (request.user as { sub: string }).sub });
  });
  return listen(app);
}

/** express-jwt + jwks-rsa: the `typ` check wraps jwks-rsa's secret, which express-jwt calls with the decoded token. */
async function expressJwt({ issuer, jwksUri, checkTyp }: Settings): Promise<Downstream> {
  const keys = expressJwtSecret({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 });
  const app = express();
  app.use(
    expressjwt({
      secret: checkTyp
        ? (request, token) => {
            if (token?.header.typ !== 'at+jwt') throw new UnauthorizedError('invalid_token', { message: 'not an access token (typ)' });
            return keys(request, token);
          }
        : keys,
      issuer,
      audience: issuer,
      algorithms: ['ES256'],
    }),
  );
  app.get('/me', (request: JwtRequest, response) => {
    response.json({ sub: request.auth?.sub });
  });
  app.use((error: Error & { status?: number }, _request: express.Request, response: express.Response, _next: express.NextFunction) => {
    response.status(error.status ?? 500).json({ error: error.name });
  });
  return listen(app);
}

/** @fastify/jwt + get-jwks: fast-jwt's own `checkTyp`. */
async function fastifyJwtWithGetJwks({ issuer, checkTyp }: Settings): Promise<Downstream> {
  const getJwks = buildGetJwks({ issuersWhitelist: [issuer], providerDiscovery: false, max: 10, ttl: 60_000 });
  const app: FastifyInstance = Fastify();
  await app.register(fastifyJwt, {
    decode: { complete: true },
    secret: (_request: FastifyRequest, token: TokenOrHeader) => {
      const { header } = token as { header: { kid: string; alg: string } };
      return getJwks.getPublicKey({ kid: header.kid, alg: header.alg, domain: issuer });
    },
    verify: { allowedIss: issuer, allowedAud: issuer, algorithms: ['ES256'], ...(checkTyp ? { checkTyp: 'at+jwt' } : {}) },
  });
  app.get('/me', async (request, reply) => {
    try {
      const payload = await request.jwtVerify<{ sub: string }>();
      return { sub: payload.sub };
    } catch {
      return reply.code(401).send({ error: 'invalid_token' });
    }
  });
  await app.ready();
  return {
    async me(token) {
      const response = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } });
      return { status: response.statusCode, ...(response.statusCode === 200 ? (response.json() as { sub: string }) : {}) };
    },
    close: () => app.close(),
  };
}

const LIBRARIES: [string, (settings: Settings) => Promise<Downstream>][] = [
  ['passport-jwt + jwks-rsa', passportJwt],
  ['express-jwt + jwks-rsa', expressJwt],
  ['@fastify/jwt + get-jwks', fastifyJwtWithGetJwks],
];

describe.each(LIBRARIES)('%s validating phone-auth access tokens', (_name, start) => {
  let phoneAuth: ListeningPhoneAuth;
  let tokens: Awaited<ReturnType<typeof loginWithReceipt>>;
  let settings: Omit<Settings, 'checkTyp'>;

  beforeAll(async () => {
    phoneAuth = await startListeningPhoneAuth();
    tokens = await loginWithReceipt(phoneAuth.t);
    settings = { issuer: phoneAuth.publicUrl, jwksUri: `${phoneAuth.publicUrl}/.well-known/jwks.json` };
  });
  afterAll(async () => phoneAuth.t.close());

  it('accepts the access token of a real login, and refuses a step-up receipt signed by the same keys', async () => {
    const downstream = await start({ ...settings, checkTyp: true });
    try {
      expect(await downstream.me(tokens.session.accessToken)).toEqual({ status: 200, sub: tokens.session.user.id });
      expect(await downstream.me(tokens.receipt)).toEqual({ status: 401 });
      expect(await downstream.me(`${tokens.session.accessToken.slice(0, -4)}AAAA`)).toEqual({ status: 401 });
    } finally {
      await downstream.close();
    }
  });

  it('lets the receipt through without the typ check: the check is what refuses it', async () => {
    const downstream = await start({ ...settings, checkTyp: false });
    try {
      expect(await downstream.me(tokens.receipt)).toEqual({ status: 200, sub: tokens.session.user.id });
    } finally {
      await downstream.close();
    }
  });
});

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createIntrospection,
  createStepUpVerifier,
  createVerifier,
  type SpentReceiptStore,
  StepUpError,
  TokenError,
  type Verifier,
  VerifierUnavailableError,
} from '@phone-auth/verify';
import { freePort } from '../../../test/support/redis-server.js';
import type { LoggedIn } from '../../../test/support/e2e-kit.js';
import { INTROSPECTION_API_KEY, PhoneAuthFixture } from './phone-auth.fixture.js';

const PAYMENT = { action: 'payment', amount: { currency: 'EUR', value: '50.00' }, payee: 'ACME' };

describe('createVerifier', () => {
  let phoneAuth: PhoneAuthFixture;
  let verifier: Verifier;
  let session: LoggedIn;

  beforeAll(async () => {
    phoneAuth = await PhoneAuthFixture.start();
    session = await phoneAuth.login();
    verifier = createVerifier({ issuer: phoneAuth.issuer, audience: phoneAuth.issuer });
  });
  afterAll(async () => phoneAuth?.close());

  const reasonFor = async (token: string | undefined) => {
    const error = await verifier.verify(token).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TokenError);
    return (error as TokenError).reason;
  };

  it('returns the claims of a real access token, from the default JWKS address', async () => {
    const claims = await verifier.verify(session.accessToken);
    expect(claims).toMatchObject({ iss: phoneAuth.issuer, aud: phoneAuth.issuer, sub: session.user.id, sid: session.sessionId, phone_number_verified: true });
    expect(phoneAuth.jwksHits).toHaveLength(1);
  });

  it('names the reason of each refusal', async () => {
    const forged = await phoneAuth.forgeries(session.accessToken);
    expect(await reasonFor(forged['for another audience'])).toBe('wrong_audience');
    expect(await reasonFor(forged['of another issuer'])).toBe('wrong_issuer');
    expect(await reasonFor(forged['that expired an hour ago'])).toBe('expired');
    expect(await reasonFor(forged['typed JWT'])).toBe('wrong_type');
    expect(await reasonFor(forged['signed with alg none'])).toBe('algorithm_not_allowed');
    expect(await reasonFor(forged['signed HS256 with the public key as secret'])).toBe('algorithm_not_allowed');
    expect(await reasonFor(await phoneAuth.receipt(session))).toBe('wrong_type');
    expect(await reasonFor(undefined)).toBe('missing_token');
    expect(await reasonFor('not.a.jwt')).toBe('malformed');
    const now = Math.floor(Date.now() / 1000);
    expect(await reasonFor(phoneAuth.resign(session.accessToken, { payload: { iat: now + 3600, exp: now + 4200 } }))).toBe('not_yet_valid');
    expect(await reasonFor(phoneAuth.resign(session.accessToken, { header: { kid: 'no-such-kid' } }))).toBe('unknown_key');
    const [header, , signature] = session.accessToken.split('.');
    const tampered = phoneAuth.resign(session.accessToken, { payload: { phone_number: '+919999999999' } }).split('.')[1];
    expect(await reasonFor(`${header}.${tampered}.${signature}`)).toBe('bad_signature');
    // An undefined claim is left out of the JSON: a token without sid.
    expect(await reasonFor(phoneAuth.resign(session.accessToken, { payload: { sid: undefined } }))).toBe('missing_claim');
  });

  it('accepts an algorithm only from its allow-list, and refuses to allow none or HS256', async () => {
    const rs256Only = createVerifier({ issuer: phoneAuth.issuer, audience: phoneAuth.issuer, algorithms: ['RS256'] });
    await expect(rs256Only.verify(session.accessToken)).rejects.toMatchObject({ reason: 'algorithm_not_allowed' });
    for (const algorithms of [['none'], ['ES256', 'HS256'], []]) {
      expect(() => createVerifier({ issuer: phoneAuth.issuer, audience: phoneAuth.issuer, algorithms })).toThrow(TypeError);
    }
  });

  it('judges expiry by its own clock, with the clock tolerance', async () => {
    const { exp } = await verifier.verify(session.accessToken);
    const at = (seconds: number) => createVerifier({ issuer: phoneAuth.issuer, audience: phoneAuth.issuer, now: () => seconds * 1000 });
    await expect(at(exp + 29).verify(session.accessToken)).resolves.toMatchObject({ exp });
    await expect(at(exp + 31).verify(session.accessToken)).rejects.toMatchObject({ reason: 'expired' });
  });

  it('throws VerifierUnavailableError, not TokenError, when the JWKS cannot be fetched', async () => {
    const cut = createVerifier({ issuer: phoneAuth.issuer, audience: phoneAuth.issuer, jwksUri: `http://127.0.0.1:${await freePort()}/jwks.json` });
    await expect(cut.verify(session.accessToken)).rejects.toBeInstanceOf(VerifierUnavailableError);
  });

  it('with introspection: refuses a logged-out session as inactive, and says unavailable with a wrong API key', async () => {
    const introspecting = createVerifier({ issuer: phoneAuth.issuer, audience: phoneAuth.issuer, introspection: { clientSecret: INTROSPECTION_API_KEY } });
    const other = await phoneAuth.login();
    await expect(introspecting.verify(other.accessToken)).resolves.toMatchObject({ sub: other.user.id });
    await phoneAuth.logout(other.accessToken);
    await expect(introspecting.verify(other.accessToken)).rejects.toMatchObject({ reason: 'inactive' });
    await expect(verifier.verify(other.accessToken)).resolves.toMatchObject({ sub: other.user.id });

    const wrongKey = createVerifier({ issuer: phoneAuth.issuer, audience: phoneAuth.issuer, introspection: { clientSecret: 'not-the-key' } });
    await expect(wrongKey.verify(session.accessToken)).rejects.toBeInstanceOf(VerifierUnavailableError);
  });
});

describe('introspection authentication styles', () => {
  it('sends X-API-Key by default and RFC 6749 client_secret_basic when asked, as a form POST', async () => {
    const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ headers: request.headers, body });
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ active: false }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`;
    try {
      await createIntrospection('https://auth.example', { url, clientSecret: 'k3y' })('tok');
      await createIntrospection('https://auth.example', { url, auth: 'client_secret_basic', clientId: 'billing svc', clientSecret: 's:cret' })('tok');
    } finally {
      server.close();
    }
    expect(seen[0].headers['x-api-key']).toBe('k3y');
    expect(seen[0].headers.authorization).toBeUndefined();
    expect(seen[1].headers['x-api-key']).toBeUndefined();
    expect(seen[1].headers.authorization).toBe(`Basic ${Buffer.from('billing+svc:s%3Acret').toString('base64')}`);
    for (const { headers, body } of seen) {
      expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(new URLSearchParams(body).get('token')).toBe('tok');
    }
  });
});

describe('createStepUpVerifier', () => {
  let phoneAuth: PhoneAuthFixture;
  let verifier: Verifier;

  beforeAll(async () => {
    phoneAuth = await PhoneAuthFixture.start();
    verifier = createVerifier({ issuer: phoneAuth.issuer, audience: phoneAuth.issuer });
  });
  afterAll(async () => phoneAuth?.close());

  const reasonOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'accepted',
      (error: unknown) => (error instanceof StepUpError ? error.reason : error),
    );

  it('accepts a receipt for exactly this action once, sharing the access verifier\'s key set', async () => {
    const receipts = createStepUpVerifier(verifier);
    const session = await phoneAuth.login();
    const receipt = await phoneAuth.receipt(session);
    expect(phoneAuth.jwksHits).toHaveLength(0);
    await expect(receipts.verify(receipt, { sub: session.user.id, ...PAYMENT })).resolves.toMatchObject({ sub: session.user.id, ...PAYMENT });
    expect(await reasonOf(receipts.verify(receipt, { sub: session.user.id, ...PAYMENT }))).toBe('already_used');
    await verifier.verify(session.accessToken);
    expect(phoneAuth.jwksHits).toHaveLength(1);
  });

  it('refuses another amount, payee, action or user, without spending the receipt; an access token; and no receipt', async () => {
    const receipts = createStepUpVerifier({ issuer: phoneAuth.issuer, audience: phoneAuth.issuer });
    const session = await phoneAuth.login();
    const receipt = await phoneAuth.receipt(session);
    for (const other of [
      { ...PAYMENT, amount: { currency: 'EUR', value: '500.00' } },
      { ...PAYMENT, payee: 'Mallory' },
      { ...PAYMENT, action: 'transfer' },
      { payee: PAYMENT.payee, amount: PAYMENT.amount },
    ]) {
      expect(await reasonOf(receipts.verify(receipt, { sub: session.user.id, ...other }))).toBe('wrong_action');
    }
    expect(await reasonOf(receipts.verify(receipt, { sub: 'usr_someone_else', ...PAYMENT }))).toBe('wrong_subject');
    const asReceipt = await receipts.verify(session.accessToken, { sub: session.user.id, ...PAYMENT }).catch((e: StepUpError) => e);
    expect(asReceipt).toMatchObject({ reason: 'invalid', tokenReason: 'wrong_type' });
    expect(await reasonOf(receipts.verify(undefined, { sub: session.user.id, ...PAYMENT }))).toBe('missing');
    expect(await reasonOf(receipts.verify(receipt, { sub: session.user.id, ...PAYMENT }))).toBe('accepted');
  });

  it('keeps spent receipts in the store it is given, until their exp', async () => {
    const spends: [string, number][] = [];
    const store: SpentReceiptStore = {
      async spend(jti, expiresAtSeconds) {
        spends.push([jti, expiresAtSeconds]);
        return spends.filter(([seen]) => seen === jti).length === 1;
      },
    };
    // Two verifiers (two instances) on one store: a receipt spent at one is spent at the other.
    const first = createStepUpVerifier({ ...verifier, store });
    const second = createStepUpVerifier({ ...verifier, store });
    const session = await phoneAuth.login();
    const receipt = await phoneAuth.receipt(session);
    const claims = await first.verify(receipt, { sub: session.user.id, ...PAYMENT });
    expect(await reasonOf(second.verify(receipt, { sub: session.user.id, ...PAYMENT }))).toBe('already_used');
    expect(spends).toEqual([
      [claims.jti, claims.exp],
      [claims.jti, claims.exp],
    ]);
  });
});

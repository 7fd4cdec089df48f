import { StepUpError, TokenError, VerifierUnavailableError } from './errors.js';
import { rejection } from './http.js';
import { bearerToken } from './verifier.js';

describe('bearerToken', () => {
  it('reads a compact JWS from an RFC 6750 Bearer header, in any case of the scheme', () => {
    expect(bearerToken('Bearer aaa.bbb.ccc')).toBe('aaa.bbb.ccc');
    expect(bearerToken('bearer aaa.bbb.ccc')).toBe('aaa.bbb.ccc');
    expect(bearerToken('Bearer aaa.bbb.')).toBe('aaa.bbb.');
  });

  it('reads nothing from another scheme, a bare token, a non-JWT, several headers or an oversized one', () => {
    for (const header of ['Basic aaa.bbb.ccc', 'aaa.bbb.ccc', 'Bearer aaa', 'Bearer aaa.bbb.ccc.ddd', 'Bearer a b.c', ['Bearer a.b.c'], undefined, null]) {
      expect(bearerToken(header)).toBeUndefined();
    }
    expect(bearerToken(`Bearer ${'a'.repeat(8 * 1024)}.b.c`)).toBeUndefined();
  });
});

describe('rejection', () => {
  it('answers a refused token 401 with the invalid_token challenge and a body naming no reason', () => {
    const answer = rejection(new TokenError('expired'));
    expect(answer).toEqual({
      status: 401,
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      body: { error: 'invalid_token', message: 'The access token is missing, invalid or expired.' },
    });
  });

  it('answers a missing token with a bare Bearer challenge (RFC 6750 3.1)', () => {
    expect(rejection(new TokenError('missing_token'))?.headers).toEqual({ 'www-authenticate': 'Bearer' });
  });

  it('answers a refused step-up receipt 403 and an unreachable phone-auth 503', () => {
    expect(rejection(new StepUpError('already_used'))).toMatchObject({ status: 403, body: { message: 'Step-up required: the step-up receipt was already used.' } });
    expect(rejection(new VerifierUnavailableError('down'))).toMatchObject({ status: 503, headers: { 'retry-after': '5' } });
  });

  it('leaves any other error to the framework', () => {
    expect(rejection(new Error('bug'))).toBeUndefined();
  });
});

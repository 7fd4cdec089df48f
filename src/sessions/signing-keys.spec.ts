import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwkThumbprint, SigningKeys } from './signing-keys.js';

const pem = (type: 'ec' | 'rsa', part: 'private' | 'public' = 'private') => {
  const pair =
    type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return part === 'private'
    ? pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    : pair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
};

describe(jwkThumbprint.name, () => {
  it('matches the example of RFC 7638 section 3.1', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(jwkThumbprint({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' })).toBe(
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
  });
});

describe(SigningKeys.name, () => {
  it('publishes the configured ES256 key under its thumbprint, without its private part', () => {
    const keys = SigningKeys.load({ algorithm: 'ES256', privateKeyPem: pem('ec') });
    expect(keys.ephemeral).toBe(false);
    expect(keys.jwks()).toEqual({
      keys: [{ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: keys.kid, alg: 'ES256', use: 'sig' }],
    });
    expect(keys.kid).toBe(jwkThumbprint(keys.jwks().keys[0]));
  });

  it('signs RS256 with an RSA key', () => {
    const keys = SigningKeys.load({ algorithm: 'RS256', privateKeyPem: pem('rsa') });
    expect(keys.jwks().keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', e: 'AQAB', kid: keys.kid });
  });

  it('makes an ephemeral key of the configured algorithm when none is given', () => {
    const keys = SigningKeys.load({ algorithm: 'RS256' });
    expect([keys.ephemeral, keys.current.algorithm]).toEqual([true, 'RS256']);
  });

  it('also publishes older public keys, each with its own algorithm, and finds each by kid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const file = join(dir, 'old.pem');
    writeFileSync(file, `${pem('ec', 'public')}\n${pem('rsa', 'public')}`);
    const keys = SigningKeys.load({ algorithm: 'ES256', privateKeyPem: pem('ec'), publicKeysFile: file });
    const published = keys.jwks().keys;
    expect(published.map((key) => key.alg)).toEqual(['ES256', 'ES256', 'RS256']);
    for (const key of published) expect(keys.verificationKey(key.kid)?.algorithm).toBe(key.alg);
    expect(keys.verificationKey('unknown')).toBeUndefined();
  });

  it.each([
    ['ES256', () => pem('rsa')],
    ['RS256', () => pem('ec')],
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()],
  ] as const)('refuses a key that does not fit %s', (algorithm, makePem) => {
    expect(() => SigningKeys.load({ algorithm, privateKeyPem: makePem() })).toThrow(`${algorithm} needs`);
  });
});

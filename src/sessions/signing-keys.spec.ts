import { generateKeyPairSync } from 'node:crypto';
import { jwkThumbprint, loadSigningKey } from './signing-keys.js';

describe(jwkThumbprint.name, () => {
  it('matches the example of RFC 7638 section 3.1', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(jwkThumbprint({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' })).toBe(
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
  });
});

describe(loadSigningKey.name, () => {
  it('publishes the configured key under its thumbprint', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const key = loadSigningKey({ algorithm: 'ES256', privateKeyPem: pem });
    expect(key.ephemeral).toBe(false);
    expect(key.publicJwk).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: key.kid,
      alg: 'ES256',
      use: 'sig',
    });
    expect(key.kid).toBe(jwkThumbprint(key.publicJwk));
    expect(key.publicJwk).not.toHaveProperty('d');
  });

  it('makes an ephemeral key when none is configured', () => {
    expect(loadSigningKey({ algorithm: 'ES256' }).ephemeral).toBe(true);
  });

  it('refuses a key of the wrong type for ES256', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadSigningKey({ algorithm: 'ES256', privateKeyPem: pem })).toThrow('EC P-256');
  });
});

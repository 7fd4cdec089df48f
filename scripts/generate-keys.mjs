#!/usr/bin/env node
// npm run keys:generate [-- --alg ES256|RS256] [--out DIR]: writes a new signing key pair,
// named by its kid (the RFC 7638 thumbprint that tokens will carry).
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { alg: { type: 'string', default: 'ES256' }, out: { type: 'string', default: 'keys' } } });
if (values.alg !== 'ES256' && values.alg !== 'RS256') {
  process.stderr.write('--alg must be ES256 or RS256\n');
  process.exit(2);
}
const { privateKey, publicKey } =
  values.alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 3072 });
const jwk = publicKey.export({ format: 'jwk' });
const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
const kid = createHash('sha256').update(JSON.stringify(members)).digest('base64url');

const dir = resolve(values.out);
mkdirSync(dir, { recursive: true });
const privatePath = join(dir, `jwt-${kid}.private.pem`);
const publicPath = join(dir, `jwt-${kid}.public.pem`);
writeFileSync(privatePath, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
writeFileSync(publicPath, publicKey.export({ format: 'pem', type: 'spki' }));
process.stdout.write(
  `${values.alg} key ${kid}\n  private: ${privatePath}\n  public:  ${publicPath}\n\n` +
    `Sign with it:\n  JWT_ALGORITHM=${values.alg}\n  JWT_PRIVATE_KEY_FILE=${privatePath}\n` +
    'When it is retired, append its public PEM to the file named by JWT_PUBLIC_KEYS_FILE.\n',
);

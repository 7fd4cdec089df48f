import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: string;
  use: 'sig';
}

/** The key that signs access tokens; its public half is published in the JWKS under `kid`. */
export class SigningKey {
  constructor(
    readonly algorithm: 'ES256',
    readonly privateKeyPem: string,
    readonly publicJwk: PublicJwk,
    /** Generated at boot: tokens die with the process. */
    readonly ephemeral: boolean,
  ) {}

  get kid(): string {
    return this.publicJwk.kid;
  }
}

export interface SigningKeySource {
  algorithm: 'ES256';
  privateKeyPem?: string;
  privateKeyFile?: string;
}

/** Loads the configured PEM, or makes an ephemeral P-256 key (allowed only in the in-memory mode). */
export function loadSigningKey(source: SigningKeySource): SigningKey {
  const pem = source.privateKeyPem ?? (source.privateKeyFile ? readFileSync(source.privateKeyFile, 'utf8') : undefined);
  const privateKey = pem
    ? createPrivateKey(pem.replaceAll('\\n', '\n'))
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`JWT_ALGORITHM=${source.algorithm} needs an EC P-256 private key`);
  }
  const publicJwk = toPublicJwk(createPublicKey(privateKey), source.algorithm);
  const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return new SigningKey(source.algorithm, privateKeyPem, publicJwk, pem === undefined);
}

function toPublicJwk(publicKey: KeyObject, alg: string): PublicJwk {
  const jwk = publicKey.export({ format: 'jwk' });
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: jwkThumbprint(jwk), alg, use: 'sig' };
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, base64url. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const required =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : jwk.kty === 'RSA'
        ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
        : undefined;
  if (required === undefined) throw new Error(`no thumbprint for key type ${String(jwk.kty)}`);
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}

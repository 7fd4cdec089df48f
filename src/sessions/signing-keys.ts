import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JwtAlgorithm } from './sessions.config.js';

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: JwtAlgorithm;
  use: 'sig';
}

export interface VerificationKey {
  kid: string;
  algorithm: JwtAlgorithm;
  publicKeyPem: string;
  /** Parsed once: handing the PEM to the JWT library would parse it again on every token. */
  publicKey: KeyObject;
  publicJwk: PublicJwk;
}

export interface SigningKeySource {
  algorithm: JwtAlgorithm;
  privateKeyPem?: string;
  privateKeyFile?: string;
  publicKeysFile?: string;
}

/**
 * The key that signs access tokens, and every public key that verifies them: the signer's own
 * and the older ones still published (JWT_PUBLIC_KEYS_FILE) so that tokens signed before a
 * rotation stay valid. Each key has exactly one algorithm, and its kid is its RFC 7638 thumbprint.
 */
export class SigningKeys {
  private readonly byKid: Map<string, VerificationKey>;

  constructor(
    readonly current: VerificationKey & { privateKeyPem: string; privateKey: KeyObject },
    older: VerificationKey[],
    /** Generated at boot: tokens die with the process. */
    readonly ephemeral: boolean,
  ) {
    this.byKid = new Map([current, ...older].map((key) => [key.kid, key]));
  }

  static load(source: SigningKeySource): SigningKeys {
    const pem =
      source.privateKeyPem ?? (source.privateKeyFile ? readFileSync(source.privateKeyFile, 'utf8') : undefined);
    const privateKey = pem ? createPrivateKey(pem.replaceAll('\\n', '\n')) : generatePrivateKey(source.algorithm);
    assertFits(privateKey, source.algorithm, 'JWT_PRIVATE_KEY');
    const current = {
      ...toVerificationKey(createPublicKey(privateKey), source.algorithm),
      privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      privateKey,
    };
    const older = source.publicKeysFile ? readPublicKeys(readFileSync(source.publicKeysFile, 'utf8')) : [];
    return new SigningKeys(current, older, pem === undefined);
  }

  get kid(): string {
    return this.current.kid;
  }

  /** The key with this kid, if it is published; never a key named by the token itself (jku, jwk). */
  verificationKey(kid: string): VerificationKey | undefined {
    return this.byKid.get(kid);
  }

  jwks(): { keys: PublicJwk[] } {
    return { keys: [...this.byKid.values()].map((key) => key.publicJwk) };
  }
}

function generatePrivateKey(algorithm: JwtAlgorithm): KeyObject {
  return algorithm === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

function assertFits(key: KeyObject, algorithm: JwtAlgorithm, setting: string): void {
  const details = key.asymmetricKeyDetails;
  const fits =
    algorithm === 'ES256'
      ? key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1'
      : key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048;
  if (!fits) {
    throw new Error(`${setting}: ${algorithm} needs ${algorithm === 'ES256' ? 'an EC P-256' : 'an RSA (2048 bits or more)'} key`);
  }
}

/** One or more PEM public keys; each one's algorithm follows from its type. */
function readPublicKeys(text: string): VerificationKey[] {
  const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  return blocks.map((block) => {
    const key = createPublicKey(block);
    const algorithm: JwtAlgorithm = key.asymmetricKeyType === 'rsa' ? 'RS256' : 'ES256';
    assertFits(key, algorithm, 'JWT_PUBLIC_KEYS_FILE');
    return toVerificationKey(key, algorithm);
  });
}

function toVerificationKey(publicKey: KeyObject, algorithm: JwtAlgorithm): VerificationKey {
  const jwk = publicKey.export({ format: 'jwk' });
  const members = jwk.kty === 'EC' ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: jwk.kty, n: jwk.n, e: jwk.e };
  const kid = jwkThumbprint(jwk);
  return {
    kid,
    algorithm,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    publicKey,
    publicJwk: { ...members, kid, alg: algorithm, use: 'sig' },
  };
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

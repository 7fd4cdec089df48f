import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { VerifierUnavailableError } from './errors.js';

/** How the remote key set is cached. The defaults suit phone-auth's `Cache-Control: max-age=300`. */
export interface KeySetOptions {
  /** How long a fetched key set is used without refetching. Default 300 000 (5 minutes). */
  cacheMaxAgeMs?: number;
  /**
   * After a fetch, an unknown `kid` refetches the set (a key rotation) only once this much time has
   * passed, so a flood of forged kids cannot become a flood of requests to phone-auth. Default 30 000.
   */
  cooldownMs?: number;
  /** Abort a key-set fetch after this long. Default 5 000. */
  timeoutMs?: number;
}

export const DEFAULT_KEY_SET_OPTIONS: Required<KeySetOptions> = { cacheMaxAgeMs: 5 * 60_000, cooldownMs: 30_000, timeoutMs: 5_000 };

// What the key lookup throws because of the token's own header (kid, alg), not because of the key set.
const TOKEN_FAULTS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported, errors.JOSEAlgNotAllowed];

/**
 * phone-auth's public keys fetched from `jwksUri` and cached; an unknown `kid` refetches once per
 * cooldown (jose's createRemoteJWKSet). A failed fetch throws VerifierUnavailableError rather than
 * jose's errors, which read the same as a bad token's.
 */
export function createKeySet(jwksUri: string | URL, options: KeySetOptions = {}): JWTVerifyGetKey {
  const { cacheMaxAgeMs, cooldownMs, timeoutMs } = { ...DEFAULT_KEY_SET_OPTIONS, ...options };
  const remote = createRemoteJWKSet(new URL(jwksUri), { cacheMaxAge: cacheMaxAgeMs, cooldownDuration: cooldownMs, timeoutDuration: timeoutMs });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (TOKEN_FAULTS.some((fault) => error instanceof fault)) throw error;
      throw new VerifierUnavailableError(`phone-auth's key set is unavailable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
}

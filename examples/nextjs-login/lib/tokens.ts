// Access-token checks against phone-auth's public keys, as any service of yours would do them.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { phoneAuthAudience, phoneAuthUrl } from './config';

/** The claims phone-auth puts in an access token (RFC 9068 plus the OpenID Connect phone claims). */
export interface AccessClaims extends JWTPayload {
  sub: string;
  sid: string;
  phone_number: string;
  phone_number_verified: boolean;
  auth_time: number;
  client_id?: string;
}

export type TokenCheck =
  | { ok: true; claims: AccessClaims }
  // `invalid` covers expired, forged and malformed tokens; `unavailable`: the keys could not be fetched.
  | { ok: false; reason: 'invalid' | 'unavailable' };

// What the key lookup throws because of the token's own header, not because the key set is unreachable.
const TOKEN_FAULTS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported, errors.JOSEAlgNotAllowed];
class KeySetUnavailable extends Error {}

let keySet: { url: string; getKey: JWTVerifyGetKey } | undefined;

// One cached key set per process: fetched once, kept 5 minutes (phone-auth's max-age), refetched
// at most every 30 s when a token names an unknown kid (a rotated key).
function getKey(): JWTVerifyGetKey {
  const url = `${phoneAuthUrl()}/.well-known/jwks.json`;
  if (keySet?.url !== url) {
    const remote = createRemoteJWKSet(new URL(url), { cacheMaxAge: 300_000, cooldownDuration: 30_000, timeoutDuration: 5_000 });
    keySet = {
      url,
      getKey: async (header, token) => {
        try {
          return await remote(header, token);
        } catch (error) {
          if (TOKEN_FAULTS.some((fault) => error instanceof fault)) throw error;
          throw new KeySetUnavailable(error instanceof Error ? error.message : String(error));
        }
      },
    };
  }
  return keySet.getKey;
}

/** Signature (ES256 or RS256, a published key), typ at+jwt, iss, aud and exp. */
export async function checkAccessToken(token: string | undefined): Promise<TokenCheck> {
  if (!token || token.length > 8192) return { ok: false, reason: 'invalid' };
  try {
    const { payload } = await jwtVerify<AccessClaims>(token, getKey(), {
      issuer: phoneAuthUrl(),
      audience: phoneAuthAudience(),
      typ: 'at+jwt',
      algorithms: ['ES256', 'RS256'],
      requiredClaims: ['exp', 'iat', 'sub', 'sid'],
    });
    return { ok: true, claims: payload };
  } catch (error) {
    if (error instanceof KeySetUnavailable) {
      console.warn(`phone-auth key set unavailable: ${error.message}`);
      return { ok: false, reason: 'unavailable' };
    }
    return { ok: false, reason: 'invalid' };
  }
}

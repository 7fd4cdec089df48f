import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { TokenError, type TokenErrorReason, VerifierUnavailableError } from './errors.js';

// Far above any phone-auth token; a bigger one is not worth parsing.
export const MAX_TOKEN_LENGTH = 8 * 1024;

export interface JwtChecks {
  issuer: string;
  audience: string | string[];
  algorithms: string[];
  typ: string;
  clockToleranceSeconds: number;
  requiredClaims: string[];
  now: () => number;
}

/**
 * jose's jwtVerify with phone-auth's rules, its errors turned into TokenError reasons. The key set's
 * own outage (VerifierUnavailableError) passes through.
 */
export async function verifyJwt<T extends JWTPayload>(token: string, keySet: JWTVerifyGetKey, checks: JwtChecks): Promise<T> {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('malformed', 'the token is too long');
  const nowMs = checks.now();
  let payload: T;
  try {
    ({ payload } = await jwtVerify<T>(token, keySet, {
      issuer: checks.issuer,
      audience: checks.audience,
      algorithms: checks.algorithms,
      typ: checks.typ,
      clockTolerance: checks.clockToleranceSeconds,
      requiredClaims: checks.requiredClaims,
      currentDate: new Date(nowMs),
    }));
  } catch (error) {
    if (error instanceof VerifierUnavailableError) throw error;
    throw new TokenError(reasonOf(error), error instanceof Error ? error.message : String(error), { cause: error });
  }
  // jose checks nbf and exp; a token issued in the future is as wrong (RFC 8725 3.8).
  if (typeof payload.iat !== 'number' || payload.iat > nowMs / 1000 + checks.clockToleranceSeconds) {
    throw new TokenError('not_yet_valid', 'the token is issued in the future');
  }
  return payload;
}

const CLAIM_REASONS: Record<string, TokenErrorReason> = {
  typ: 'wrong_type',
  iss: 'wrong_issuer',
  aud: 'wrong_audience',
  nbf: 'not_yet_valid',
  iat: 'not_yet_valid',
};

function reasonOf(error: unknown): TokenErrorReason {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing' || error.reason === 'invalid') return 'missing_claim';
    return CLAIM_REASONS[error.claim] ?? 'missing_claim';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm_not_allowed';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return 'unknown_key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  return 'malformed';
}

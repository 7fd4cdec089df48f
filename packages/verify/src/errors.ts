/**
 * Why a token was refused. Adapters answer every one of them with the same 401 (which check failed
 * helps an attacker more than a client); the reason is for your logs and metrics.
 */
export type TokenErrorReason =
  /** No `Authorization: Bearer <jwt>` header, or not one that parses as a compact JWS. */
  | 'missing_token'
  /** Not a well-formed JWT (bad base64url, bad JSON, wrong number of parts, crit headers...). */
  | 'malformed'
  /** `alg` outside the allow-list: `none`, HS256 (key confusion), RS256 when only ES256 is allowed... */
  | 'algorithm_not_allowed'
  /** No published key has this `kid`, even after refetching the key set (past its cooldown). */
  | 'unknown_key'
  /** The signature does not check out with the published key (tampered, or signed by another key). */
  | 'bad_signature'
  /** `typ` is not the one required: a step-up receipt (`step-up+jwt`) presented as an access token... */
  | 'wrong_type'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  /** `nbf` in the future, or `iat` further in the future than the clock tolerance (RFC 8725 3.8). */
  | 'not_yet_valid'
  /** A claim every phone-auth token carries (`exp`, `iat`, `sub`...) is absent or of the wrong type. */
  | 'missing_claim'
  /** Introspection says the token is no longer active: its session ended (logout, revocation, ban). */
  | 'inactive';

/** A token was refused: the caller's fault. Adapters map it to 401 `WWW-Authenticate: Bearer error="invalid_token"`. */
export class TokenError extends Error {
  override readonly name = 'TokenError';

  constructor(
    readonly reason: TokenErrorReason,
    message: string = reason.replace(/_/g, ' '),
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * phone-auth (its key set or its introspection endpoint) could not be asked: not the caller's
 * fault, so adapters answer 503 and clients keep their tokens.
 */
export class VerifierUnavailableError extends Error {
  override readonly name = 'VerifierUnavailableError';
}

/** Why a step-up receipt was refused; adapters (and the NestJS service) answer 403. */
export type StepUpErrorReason =
  /** No receipt was sent. */
  | 'missing'
  /** The receipt is not a valid, unexpired `step-up+jwt` of this issuer and audience (see `tokenReason`). */
  | 'invalid'
  /** The receipt was issued to another user than the caller. */
  | 'wrong_subject'
  /** The receipt confirms another action, amount or payee. */
  | 'wrong_action'
  /** The receipt's `jti` was accepted before: each receipt works once. */
  | 'already_used';

const STEP_UP_MESSAGES: Record<StepUpErrorReason, string> = {
  missing: 'a step-up receipt is required',
  invalid: 'the step-up receipt is invalid or expired',
  wrong_subject: "the step-up receipt is someone else's",
  wrong_action: 'the step-up receipt confirms another action',
  already_used: 'the step-up receipt was already used',
};

export class StepUpError extends Error {
  override readonly name = 'StepUpError';

  constructor(
    readonly reason: StepUpErrorReason,
    /** For `invalid`: what was wrong with the receipt as a JWT. */
    readonly tokenReason?: TokenErrorReason,
  ) {
    super(`Step-up required: ${STEP_UP_MESSAGES[reason]}.`);
  }
}

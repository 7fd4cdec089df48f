import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { StepUpError, TokenError } from './errors.js';
import { verifyJwt } from './jwt-checks.js';
import { createKeySet, type KeySetOptions } from './key-set.js';
import { DEFAULT_ALGORITHMS, DEFAULT_CLOCK_TOLERANCE_SECONDS } from './verifier.js';

/** What phone-auth signs after a step-up code (POST /v1/otp/verify with purpose step_up). */
export interface StepUpReceiptClaims extends JWTPayload {
  sub: string;
  sid: string;
  jti: string;
  exp: number;
  iat: number;
  /** When the person typed the code. */
  auth_time: number;
  amr: string[];
  action?: string;
  amount?: { currency: string; value: string };
  payee?: string;
}

/** What this service is about to do; the receipt must name exactly this (an absent part must be absent there too). */
export interface ExpectedStepUp {
  /** The caller's `sub` (from its access token): a receipt of someone else is refused. */
  sub: string;
  action?: string;
  amount?: { currency: string; value: string };
  payee?: string;
}

/**
 * Remembers spent receipts until they expire, so each is accepted once. With several instances,
 * share one store, e.g. Redis `SET receipt:<jti> 1 NX EXAT <exp>` (one atomic check-and-set):
 * `spend: async (jti, exp) => (await redis.set(\`receipt:${jti}\`, '1', 'EXAT', exp, 'NX')) === 'OK'`.
 */
export interface SpentReceiptStore {
  /** True the first time `jti` is spent; false ever after (until `expiresAtSeconds`, when it cannot be used anyway). */
  spend(jti: string, expiresAtSeconds: number): boolean | Promise<boolean>;
}

/** A SpentReceiptStore in this process's memory: right for one instance only. */
export class MemorySpentReceiptStore implements SpentReceiptStore {
  private readonly spent = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  spend(jti: string, expiresAtSeconds: number): boolean {
    const nowSeconds = this.now() / 1000;
    for (const [seen, until] of this.spent) if (until < nowSeconds) this.spent.delete(seen);
    if (this.spent.has(jti)) return false;
    this.spent.set(jti, expiresAtSeconds);
    return true;
  }
}

export interface StepUpVerifierOptions {
  issuer: string;
  audience: string | string[];
  jwksUri?: string;
  algorithms?: string[];
  clockToleranceSeconds?: number;
  jwks?: KeySetOptions;
  keySet?: JWTVerifyGetKey;
  /** Where spent receipts are remembered. Default a MemorySpentReceiptStore (one instance only). */
  store?: SpentReceiptStore;
  now?: () => number;
}

export interface StepUpVerifier {
  /** Checks `receipt` for `expected` and spends it; throws StepUpError (403) or VerifierUnavailableError (503). */
  verify(receipt: string | undefined, expected: ExpectedStepUp): Promise<StepUpReceiptClaims>;
}

const RECEIPT_TYPE = 'step-up+jwt';

/**
 * Checks step-up receipts before an action: signature against phone-auth's JWKS (the access
 * tokens' keys), `typ: step-up+jwt` (an access token is refused here, and a receipt by any
 * access-token check), `iss`, `aud`, `exp`, the algorithm; then that it was issued to the caller
 * for exactly this action, amount and payee; then that its `jti` was not spent before.
 * A Verifier is valid options (`createStepUpVerifier(verifier)`, or `{ ...verifier, store }`): its
 * issuer, audience, algorithms and key-set cache are shared.
 */
export function createStepUpVerifier(options: StepUpVerifierOptions): StepUpVerifier {
  const now = options.now ?? Date.now;
  const keySet = options.keySet ?? createKeySet(options.jwksUri ?? `${options.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`, options.jwks);
  const store = options.store ?? new MemorySpentReceiptStore(now);
  const checks = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: [...(options.algorithms ?? DEFAULT_ALGORITHMS)],
    typ: RECEIPT_TYPE,
    clockToleranceSeconds: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['iss', 'exp', 'iat', 'sub', 'sid', 'jti'],
    now,
  };

  return {
    async verify(receipt, expected) {
      if (!receipt) throw new StepUpError('missing');
      let claims: StepUpReceiptClaims;
      try {
        claims = await verifyJwt<StepUpReceiptClaims>(receipt, keySet, checks);
      } catch (error) {
        if (error instanceof TokenError) throw new StepUpError('invalid', error.reason);
        throw error;
      }
      if (claims.sub !== expected.sub) throw new StepUpError('wrong_subject');
      if (claims.action !== expected.action || !sameAmount(claims.amount, expected.amount) || claims.payee !== expected.payee) {
        throw new StepUpError('wrong_action');
      }
      // Last, so that a receipt refused above is not spent by the attempt.
      if (!(await store.spend(claims.jti, claims.exp))) throw new StepUpError('already_used');
      return claims;
    },
  };
}

function sameAmount(a: ExpectedStepUp['amount'], b: ExpectedStepUp['amount']): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.currency === b.currency && a.value === b.value;
}

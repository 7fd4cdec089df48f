import { ForbiddenException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { DEFAULT_ALGORITHMS, DEFAULT_CLOCK_TOLERANCE_SECONDS, PHONE_AUTH_KEY_SET, PHONE_AUTH_OPTIONS, type PhoneAuthOptions } from './phone-auth.guard.js';

/** What phone-auth signs after a step-up code (POST /v1/otp/verify with purpose step_up). */
export interface StepUpReceiptClaims extends JWTPayload {
  sub: string;
  sid: string;
  jti: string;
  exp: number;
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
  action: string;
  amount?: { currency: string; value: string };
  payee?: string;
}

const RECEIPT_TYPE = 'step-up+jwt';
const MAX_RECEIPT_LENGTH = 8 * 1024;

/**
 * Receipts already spent, kept until they expire: each is accepted once. In memory for this
 * example (one process); several instances share one store instead, e.g. Redis
 * `SET receipt:<jti> 1 NX EXAT <exp>`, which is the same check-and-set in one command.
 */
export class SpentReceipts {
  private readonly spent = new Map<string, number>();

  /** True the first time a jti is presented before `expSeconds`; false ever after. */
  spend(jti: string, expSeconds: number, nowSeconds: number): boolean {
    for (const [seen, until] of this.spent) if (until < nowSeconds) this.spent.delete(seen);
    if (this.spent.has(jti)) return false;
    this.spent.set(jti, expSeconds);
    return true;
  }
}

/**
 * Checks a step-up receipt before an action: signature against phone-auth's JWKS (the access
 * tokens' keys), `typ: step-up+jwt` (an access token is refused here, and a receipt by any
 * access-token check), `iss`, `aud`, `exp`, the algorithm; then that it was issued to the caller
 * for exactly this action, amount and payee; then that it was not used before.
 */
@Injectable()
export class StepUpReceiptVerifier {
  private readonly spent = new SpentReceipts();

  constructor(
    @Inject(PHONE_AUTH_OPTIONS) private readonly options: PhoneAuthOptions,
    @Inject(PHONE_AUTH_KEY_SET) private readonly keySet: JWTVerifyGetKey,
  ) {}

  async verify(receipt: string | undefined, expected: ExpectedStepUp): Promise<StepUpReceiptClaims> {
    if (receipt === undefined || receipt.length > MAX_RECEIPT_LENGTH) throw refused('a step-up receipt is required');
    let claims: StepUpReceiptClaims;
    try {
      ({ payload: claims } = await jwtVerify<StepUpReceiptClaims>(receipt, this.keySet, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.options.algorithms ?? DEFAULT_ALGORITHMS,
        typ: RECEIPT_TYPE,
        clockTolerance: this.options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iat', 'sub', 'sid', 'jti'],
      }));
    } catch (error) {
      // The key set out of reach is not the caller's fault; anything jose says about the receipt is.
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
        throw new ServiceUnavailableException('Cannot check step-up receipts right now.');
      }
      throw refused('the step-up receipt is invalid or expired');
    }
    if (claims.sub !== expected.sub) throw refused('the step-up receipt is someone else\'s');
    if (claims.action !== expected.action || !sameAmount(claims.amount, expected.amount) || claims.payee !== expected.payee) {
      throw refused('the step-up receipt confirms another action');
    }
    // Last, so that a receipt refused above is not spent by the attempt.
    if (!this.spent.spend(claims.jti, claims.exp, Math.floor(Date.now() / 1000))) throw refused('the step-up receipt was already used');
    return claims;
  }
}

function sameAmount(a: ExpectedStepUp['amount'], b: ExpectedStepUp['amount']): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.currency === b.currency && a.value === b.value;
}

function refused(reason: string): ForbiddenException {
  return new ForbiddenException(`Step-up required: ${reason}.`);
}

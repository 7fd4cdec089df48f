import type { Channel } from '../common/channel.js';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { AMR_OF_CHANNEL } from './access-token.service.js';
import { sessionsConfig } from './sessions.config.js';
import { JwtSigner } from './jwt-signer.js';

/** The JWT `typ` of a step-up receipt: an access-token validator (typ at+jwt) refuses it, and a receipt check refuses an access token. */
export const STEP_UP_RECEIPT_TYPE = 'step-up+jwt';

export interface StepUpAmount {
  /** ISO 4217, upper case. */
  currency: string;
  /** A decimal string, e.g. `50.00`. */
  value: string;
}

/** What a step-up code was sent to confirm; every part optional. */
export interface StepUpBinding {
  action?: string;
  amount?: StepUpAmount;
  payee?: string;
}

export interface StepUpSubject extends StepUpBinding {
  userId: string;
  sessionId: string;
  /** The channel that carried the step-up code: the receipt's `amr`. */
  channel: Channel;
}

/** The claims of a receipt: who proved possession of their phone again, when, in which session, for what. */
export interface StepUpReceiptClaims extends StepUpBinding {
  iss: string;
  aud: string;
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  /** The step-up itself, not the session's login. */
  auth_time: number;
  amr: string[];
}

export interface StepUpReceipt {
  receipt: string;
  expiresIn: number;
  claims: StepUpReceiptClaims;
}

/**
 * Signs step-up receipts with the service's signing key (the JWKS of access tokens), under their
 * own `typ`. A downstream service verifies one as it does an access token, then checks that its
 * action, amount and payee are what it is about to do, and that its `jti` was not seen before.
 */
@Injectable()
export class StepUpReceiptService {
  constructor(
    private readonly signer: JwtSigner,
    @Inject(sessionsConfig.KEY) private readonly config: ConfigType<typeof sessionsConfig>,
  ) {}

  issue(subject: StepUpSubject, nowMs: number): StepUpReceipt {
    const iat = Math.floor(nowMs / 1000);
    const ttlSeconds = this.config.stepUpReceiptTtlSeconds;
    const claims: StepUpReceiptClaims = {
      iss: this.config.issuer,
      aud: this.config.audience,
      sub: subject.userId,
      sid: subject.sessionId,
      jti: randomUUID(),
      iat,
      exp: iat + ttlSeconds,
      auth_time: iat,
      amr: [AMR_OF_CHANNEL[subject.channel]],
    };
    if (subject.action !== undefined) claims.action = subject.action;
    if (subject.amount !== undefined) claims.amount = { currency: subject.amount.currency, value: subject.amount.value };
    if (subject.payee !== undefined) claims.payee = subject.payee;
    const receipt = this.signer.sign(claims, STEP_UP_RECEIPT_TYPE);
    return { receipt, expiresIn: ttlSeconds, claims };
  }
}

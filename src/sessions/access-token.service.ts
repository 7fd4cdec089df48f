import type { Channel } from '../common/channel.js';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { DomainError } from '../common/errors/domain.error.js';
import { JwtSigner } from './jwt-signer.js';
import { sessionsConfig } from './sessions.config.js';
import { SigningKeys } from './signing-keys.js';

/** RFC 8176 authentication method references: a text, a call, or a one-time password by other means (WhatsApp). */
export const AMR_OF_CHANNEL: Record<Channel, string> = { sms: 'sms', voice: 'tel', whatsapp: 'otp' };

export interface AccessTokenSubject {
  userId: string;
  sessionId: string;
  phone: string;
  authTimeSeconds: number;
  /** The channel whose code opened the session: the token's `amr`. */
  channel: Channel;
  clientId?: string;
}

/** The claims of a valid access token (RFC 9068 plus the phone claims of OpenID Connect). */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  auth_time: number;
  amr: string[];
  phone_number: string;
  phone_number_verified: boolean;
  client_id?: string;
}

const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);

/** Signs and validates RFC 9068 access tokens (`typ: at+jwt`). */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly keys: SigningKeys,
    private readonly signer: JwtSigner,
    @Inject(sessionsConfig.KEY) private readonly config: ConfigType<typeof sessionsConfig>,
  ) {}

  get ttlSeconds(): number {
    return this.config.accessTokenTtlSeconds;
  }

  sign(subject: AccessTokenSubject, nowMs: number): string {
    const iat = Math.floor(nowMs / 1000);
    const claims: AccessTokenClaims = {
      iss: this.config.issuer,
      aud: this.config.audience,
      sub: subject.userId,
      sid: subject.sessionId,
      jti: randomUUID(),
      iat,
      exp: iat + this.config.accessTokenTtlSeconds,
      auth_time: subject.authTimeSeconds,
      amr: [AMR_OF_CHANNEL[subject.channel]],
      phone_number: subject.phone,
      phone_number_verified: true,
    };
    if (subject.clientId !== undefined) claims.client_id = subject.clientId;
    return this.signer.sign(claims, 'at+jwt');
  }

  /**
   * Validates signature (only with a published key chosen by kid, only with that key's one
   * algorithm), typ, iss, aud, exp and iat (30 s leeway). Throws `unauthorized` otherwise.
   * Says nothing about the session: callers check that it is still live.
   */
  async verify(token: string, nowMs: number): Promise<AccessTokenClaims> {
    const header = decodeHeader(token);
    const key = typeof header?.kid === 'string' ? this.keys.verificationKey(header.kid) : undefined;
    if (
      key === undefined ||
      header?.alg !== key.algorithm ||
      typeof header.typ !== 'string' ||
      !ACCESS_TOKEN_TYPES.has(header.typ.toLowerCase())
    ) {
      throw invalidToken();
    }
    const nowSeconds = Math.floor(nowMs / 1000);
    let claims: AccessTokenClaims;
    try {
      claims = this.jwt.verify<AccessTokenClaims & object>(token, {
        // A KeyObject works at runtime (jsonwebtoken takes it); @nestjs/jwt types this option narrowly.
        publicKey: key.publicKey as unknown as string,
        algorithms: [key.algorithm],
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: this.config.clockToleranceSeconds,
        clockTimestamp: nowSeconds,
      });
    } catch {
      throw invalidToken();
    }
    if (
      typeof claims.sub !== 'string' ||
      typeof claims.sid !== 'string' ||
      typeof claims.iat !== 'number' ||
      typeof claims.exp !== 'number' ||
      claims.iat > nowSeconds + this.config.clockToleranceSeconds
    ) {
      throw invalidToken();
    }
    return claims;
  }
}

function decodeHeader(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null ? (header as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function invalidToken(): DomainError {
  return new DomainError('unauthorized', 'The access token is missing, invalid or expired.');
}

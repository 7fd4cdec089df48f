import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { sessionsConfig } from '../config/sessions.config.js';
import { SigningKey } from './signing-keys.js';

export interface AccessTokenSubject {
  userId: string;
  sessionId: string;
  phone: string;
  authTimeSeconds: number;
  clientId?: string;
}

/** Signs RFC 9068 access tokens (`typ: at+jwt`) with the current signing key. */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly key: SigningKey,
    @Inject(sessionsConfig.KEY) private readonly config: ConfigType<typeof sessionsConfig>,
  ) {}

  get ttlSeconds(): number {
    return this.config.accessTokenTtlSeconds;
  }

  sign(subject: AccessTokenSubject, nowMs: number): Promise<string> {
    const iat = Math.floor(nowMs / 1000);
    const claims: Record<string, unknown> = {
      iss: this.config.issuer,
      aud: this.config.audience,
      sub: subject.userId,
      sid: subject.sessionId,
      jti: randomUUID(),
      iat,
      exp: iat + this.config.accessTokenTtlSeconds,
      auth_time: subject.authTimeSeconds,
      amr: ['sms'],
      phone_number: subject.phone,
      phone_number_verified: true,
    };
    if (subject.clientId !== undefined) claims.client_id = subject.clientId;
    return this.jwt.signAsync(claims, {
      algorithm: this.key.algorithm,
      privateKey: this.key.privateKeyPem,
      header: { alg: this.key.algorithm, kid: this.key.kid, typ: 'at+jwt' },
    });
  }
}

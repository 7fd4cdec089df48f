import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { SigningKeys } from './signing-keys.js';

/** Signs the service's JWTs (access tokens, step-up receipts) with the current key of the JWKS, each under its own `typ`. */
@Injectable()
export class JwtSigner {
  constructor(
    private readonly jwt: JwtService,
    private readonly keys: SigningKeys,
  ) {}

  sign(claims: object, typ: string): string {
    const key = this.keys.current;
    // Synchronous: the async form signs through jws's streams, events and ticks (a fifth of a
    // refresh's CPU) for the same one ECDSA signature.
    return this.jwt.sign(claims as Record<string, unknown>, {
      algorithm: key.algorithm,
      privateKey: key.privateKey,
      header: { alg: key.algorithm, kid: key.kid, typ },
    });
  }
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { PublicJwk } from '../signing-keys.js';

/** A public key: the EC members or the RSA members, never both. */
export class JwkResponse {
  // Always present: optional only as node:crypto types every member of a JWK.
  @ApiProperty({ enum: ['EC', 'RSA'], example: 'EC' })
  kty?: string;

  @ApiPropertyOptional({ example: 'P-256', description: 'EC keys.' })
  crv?: string;

  @ApiPropertyOptional({ example: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', description: 'EC keys.' })
  x?: string;

  @ApiPropertyOptional({ example: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', description: 'EC keys.' })
  y?: string;

  @ApiPropertyOptional({ description: 'RSA keys.' })
  n?: string;

  @ApiPropertyOptional({ example: 'AQAB', description: 'RSA keys.' })
  e?: string;

  @ApiProperty({ example: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs', description: 'RFC 7638 thumbprint.' })
  kid!: string;

  @ApiProperty({ enum: ['ES256', 'RS256'], example: 'ES256' })
  alg!: PublicJwk['alg'];

  @ApiProperty({ enum: ['sig'], example: 'sig' })
  use!: 'sig';

  // Members left undefined (the other key type's) are not serialised.
  static of(jwk: PublicJwk): JwkResponse {
    return Object.assign(new JwkResponse(), {
      kty: jwk.kty,
      crv: jwk.crv,
      x: jwk.x,
      y: jwk.y,
      n: jwk.n,
      e: jwk.e,
      kid: jwk.kid,
      alg: jwk.alg,
      use: jwk.use,
    } satisfies JwkResponse);
  }
}

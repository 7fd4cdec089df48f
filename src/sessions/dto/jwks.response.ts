import { ApiProperty } from '@nestjs/swagger';
import type { PublicJwk } from '../signing-keys.js';
import { JwkResponse } from './jwk.response.js';

export class JwksResponse {
  @ApiProperty({ type: [JwkResponse], description: 'The signing key, and older keys still published.' })
  keys!: JwkResponse[];

  static of(jwks: { keys: PublicJwk[] }): JwksResponse {
    return Object.assign(new JwksResponse(), { keys: jwks.keys.map((jwk) => JwkResponse.of(jwk)) } satisfies JwksResponse);
  }
}

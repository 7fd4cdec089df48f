import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE_ACCESS_TOKEN, EXAMPLE_REFRESH_TOKEN } from '../../openapi/examples.js';
import type { TokenPair } from '../session.service.js';

/** RFC 6749 §5.1: the answer of the token endpoint. */
export class OAuthTokenResponse {
  @ApiProperty({ example: EXAMPLE_ACCESS_TOKEN, description: 'JWT (`typ: at+jwt`), verifiable against `/.well-known/jwks.json`.' })
  access_token!: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ type: 'integer', example: 600, description: 'Seconds the access token lives.' })
  expires_in!: number;

  @ApiProperty({ example: EXAMPLE_REFRESH_TOKEN, description: 'The next refresh token (single use); the one presented is spent.' })
  refresh_token!: string;

  static of(tokens: TokenPair): OAuthTokenResponse {
    return Object.assign(new OAuthTokenResponse(), {
      access_token: tokens.accessToken,
      token_type: tokens.tokenType,
      expires_in: tokens.expiresIn,
      refresh_token: tokens.refreshToken,
    } satisfies OAuthTokenResponse);
  }
}

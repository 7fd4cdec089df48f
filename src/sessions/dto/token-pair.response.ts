import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE_ACCESS_TOKEN, EXAMPLE_REFRESH_TOKEN, EXAMPLE_SESSION_ID } from '../../openapi/examples.js';
import type { TokenPair } from '../session.service.js';
import { UserResponse } from './user.response.js';

export class TokenPairResponse {
  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({ example: EXAMPLE_ACCESS_TOKEN, description: 'JWT (`typ: at+jwt`), verifiable against `/.well-known/jwks.json`.' })
  accessToken!: string;

  @ApiProperty({ type: 'integer', example: 600, description: 'Seconds.' })
  expiresIn!: number;

  @ApiProperty({ example: EXAMPLE_REFRESH_TOKEN, description: 'Opaque, single use: `<sessionId>.<secret>`.' })
  refreshToken!: string;

  @ApiProperty({ type: 'integer', example: 2592000, description: 'Seconds.' })
  refreshExpiresIn!: number;

  @ApiProperty({ example: EXAMPLE_SESSION_ID })
  sessionId!: string;

  @ApiProperty({ type: UserResponse })
  user!: UserResponse;

  static of(tokens: TokenPair): TokenPairResponse {
    return Object.assign(new TokenPairResponse(), {
      tokenType: tokens.tokenType,
      accessToken: tokens.accessToken,
      expiresIn: tokens.expiresIn,
      refreshToken: tokens.refreshToken,
      refreshExpiresIn: tokens.refreshExpiresIn,
      sessionId: tokens.sessionId,
      user: UserResponse.of(tokens.user),
    } satisfies TokenPairResponse);
  }
}

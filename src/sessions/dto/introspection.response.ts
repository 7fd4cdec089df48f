import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EXAMPLE_SESSION_ID, EXAMPLE_USER_ID } from '../../openapi/examples.js';
import type { AccessTokenClaims } from '../access-token.service.js';

/** RFC 7662: every member but `active` is present only for a live access token. */
export class IntrospectionResponse {
  @ApiProperty({ example: true })
  active!: boolean;

  @ApiPropertyOptional({ example: 'https://auth.example.com' })
  iss?: string;

  @ApiPropertyOptional({ example: 'https://auth.example.com' })
  aud?: string;

  @ApiPropertyOptional({ example: EXAMPLE_USER_ID })
  sub?: string;

  @ApiPropertyOptional({ example: EXAMPLE_SESSION_ID })
  sid?: string;

  @ApiPropertyOptional({ example: '0f6f3c4e-2f43-4d55-9b5c-3f1f8c0b7a21' })
  jti?: string;

  @ApiPropertyOptional({ type: 'integer', example: 1777888812 })
  iat?: number;

  @ApiPropertyOptional({ type: 'integer', example: 1777889412 })
  exp?: number;

  @ApiPropertyOptional({ type: 'integer', example: 1777888812 })
  auth_time?: number;

  @ApiPropertyOptional({ type: [String], example: ['sms'] })
  amr?: string[];

  @ApiPropertyOptional({ example: '+919876543210' })
  phone_number?: string;

  @ApiPropertyOptional({ example: true })
  phone_number_verified?: boolean;

  @ApiPropertyOptional({ example: 'billing', description: 'When an API-key client logged the user in.' })
  client_id?: string;

  // Members left undefined are not serialised: an inactive token answers `{"active":false}` only.
  static of(result: ({ active: true } & AccessTokenClaims) | { active: false }): IntrospectionResponse {
    if (!result.active) return Object.assign(new IntrospectionResponse(), { active: false } satisfies IntrospectionResponse);
    const claims: AccessTokenClaims = result;
    return Object.assign(new IntrospectionResponse(), {
      active: true,
      iss: claims.iss,
      aud: claims.aud,
      sub: claims.sub,
      sid: claims.sid,
      jti: claims.jti,
      iat: claims.iat,
      exp: claims.exp,
      auth_time: claims.auth_time,
      amr: claims.amr,
      phone_number: claims.phone_number,
      phone_number_verified: claims.phone_number_verified,
      client_id: claims.client_id,
    } satisfies IntrospectionResponse);
  }
}

import { ApiProperty } from '@nestjs/swagger';
import type { PublicJwk } from '../signing-keys.js';

/** The claims an access token may carry, as discovery lists them. */
const CLAIMS_SUPPORTED = ['sub', 'sid', 'auth_time', 'amr', 'phone_number', 'phone_number_verified', 'client_id'];

/** RFC 6749 §2.3.1 client authentication at introspection (registered names, RFC 8414 §2). */
export const INTROSPECTION_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/**
 * RFC 8414 authorization server metadata: one document, served at both
 * `/.well-known/oauth-authorization-server` and `/.well-known/openid-configuration` (where
 * OpenID clients look first). Only what the service serves: the refresh grant at the token
 * endpoint for public clients, introspection, the JWKS. No authorization endpoint (codes are
 * sent by SMS, not through a browser redirect), hence no response type.
 */
export class AuthorizationServerMetadataResponse {
  @ApiProperty({ example: 'https://auth.example.com' })
  issuer!: string;

  @ApiProperty({ format: 'uri', example: 'https://auth.example.com/.well-known/jwks.json' })
  jwks_uri!: string;

  @ApiProperty({ format: 'uri', example: 'https://auth.example.com/oauth/token', description: 'RFC 6749 §6 refresh grants, form-encoded.' })
  token_endpoint!: string;

  @ApiProperty({ type: [String], example: ['none'], description: 'Public clients: a refresh token is bound to its session.' })
  token_endpoint_auth_methods_supported!: string[];

  @ApiProperty({ type: [String], example: ['refresh_token'] })
  grant_types_supported!: string[];

  @ApiProperty({ type: [String], example: [], description: 'Required by RFC 8414; empty: there is no authorization endpoint (logins go through `/v1/otp/*`).' })
  response_types_supported!: string[];

  @ApiProperty({ format: 'uri', example: 'https://auth.example.com/v1/tokens/introspect' })
  introspection_endpoint!: string;

  @ApiProperty({ type: [String], example: INTROSPECTION_AUTH_METHODS, description: 'client_id: the API key\'s name; client_secret: the key. `X-API-Key` works too.' })
  introspection_endpoint_auth_methods_supported!: string[];

  @ApiProperty({ type: [String], example: ['ES256'], description: 'The algorithm of the access tokens (JWT, `typ: at+jwt`).' })
  access_token_signing_alg_values_supported!: string[];

  @ApiProperty({ type: [String], example: CLAIMS_SUPPORTED })
  claims_supported!: string[];

  /** `publicUrl` is the service's base URL (no trailing `/`); `algorithm` that of the signing key. */
  static of(issuer: string, publicUrl: string, algorithm: PublicJwk['alg']): AuthorizationServerMetadataResponse {
    return Object.assign(new AuthorizationServerMetadataResponse(), {
      issuer,
      jwks_uri: `${publicUrl}/.well-known/jwks.json`,
      token_endpoint: `${publicUrl}/oauth/token`,
      token_endpoint_auth_methods_supported: ['none'],
      grant_types_supported: ['refresh_token'],
      response_types_supported: [],
      introspection_endpoint: `${publicUrl}/v1/tokens/introspect`,
      introspection_endpoint_auth_methods_supported: [...INTROSPECTION_AUTH_METHODS],
      access_token_signing_alg_values_supported: [algorithm],
      claims_supported: [...CLAIMS_SUPPORTED],
    } satisfies AuthorizationServerMetadataResponse);
  }
}

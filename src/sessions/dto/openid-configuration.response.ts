import { ApiProperty } from '@nestjs/swagger';
import type { PublicJwk } from '../signing-keys.js';

/** The claims an access token may carry, as discovery lists them. */
const CLAIMS_SUPPORTED = ['sub', 'sid', 'auth_time', 'amr', 'phone_number', 'phone_number_verified', 'client_id'];

export class OpenIdConfigurationResponse {
  @ApiProperty({ example: 'https://auth.example.com' })
  issuer!: string;

  @ApiProperty({ format: 'uri', example: 'https://auth.example.com/.well-known/jwks.json' })
  jwks_uri!: string;

  @ApiProperty({ format: 'uri', example: 'https://auth.example.com/v1/tokens/introspect' })
  introspection_endpoint!: string;

  @ApiProperty({ type: [String], example: ['api_key'] })
  introspection_endpoint_auth_methods_supported!: string[];

  @ApiProperty({ format: 'uri', example: 'https://auth.example.com/v1/sessions/refresh' })
  token_endpoint!: string;

  @ApiProperty({ type: [String], example: ['refresh_token'] })
  grant_types_supported!: string[];

  @ApiProperty({ type: [String], example: ['ES256'] })
  access_token_signing_alg_values_supported!: string[];

  @ApiProperty({ type: [String], example: CLAIMS_SUPPORTED })
  claims_supported!: string[];

  /** `publicUrl` is the service's base URL (no trailing `/`); `algorithm` that of the signing key. */
  static of(issuer: string, publicUrl: string, algorithm: PublicJwk['alg']): OpenIdConfigurationResponse {
    return Object.assign(new OpenIdConfigurationResponse(), {
      issuer,
      jwks_uri: `${publicUrl}/.well-known/jwks.json`,
      introspection_endpoint: `${publicUrl}/v1/tokens/introspect`,
      introspection_endpoint_auth_methods_supported: ['api_key'],
      token_endpoint: `${publicUrl}/v1/sessions/refresh`,
      grant_types_supported: ['refresh_token'],
      access_token_signing_alg_values_supported: [algorithm],
      claims_supported: [...CLAIMS_SUPPORTED],
    } satisfies OpenIdConfigurationResponse);
  }
}

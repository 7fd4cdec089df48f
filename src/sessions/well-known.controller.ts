import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../openapi/problem-details.schema.js';
import { JwksResponse, OpenIdConfigurationResponse } from '../openapi/responses.js';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/app.config.js';
import { sessionsConfig } from './sessions.config.js';
import { SigningKeys } from './signing-keys.js';

@ApiTags('well-known')
@Controller('.well-known')
export class WellKnownController {
  constructor(
    private readonly keys: SigningKeys,
    @Inject(sessionsConfig.KEY) private readonly sessions: ConfigType<typeof sessionsConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  @ApiOperation({
    summary: 'JSON Web Key Set',
    description: 'The public keys that verify access tokens: the signing key and older ones still published. Refetch once when a `kid` is unknown.',
  })
  @ApiOkResponse({ type: JwksResponse, description: 'Cacheable for 5 minutes.' })
  @ApiProblems([])
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks() {
    return this.keys.jwks();
  }

  @ApiOperation({ summary: 'Discovery document', description: 'Issuer, JWKS, introspection and token endpoints, algorithms and claims.' })
  @ApiOkResponse({ type: OpenIdConfigurationResponse, description: 'Cacheable for 5 minutes.' })
  @ApiProblems([])
  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  configuration() {
    return {
      issuer: this.sessions.issuer,
      jwks_uri: `${this.app.publicUrl}/.well-known/jwks.json`,
      introspection_endpoint: `${this.app.publicUrl}/v1/tokens/introspect`,
      introspection_endpoint_auth_methods_supported: ['api_key'],
      token_endpoint: `${this.app.publicUrl}/v1/sessions/refresh`,
      grant_types_supported: ['refresh_token'],
      access_token_signing_alg_values_supported: [this.keys.current.algorithm],
      claims_supported: ['sub', 'sid', 'auth_time', 'amr', 'phone_number', 'phone_number_verified', 'client_id'],
    };
  }
}

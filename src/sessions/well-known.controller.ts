import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../openapi/problem-details.schema.js';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/app.config.js';
import { sessionsConfig } from './sessions.config.js';
import { JwksResponse } from './dto/jwks.response.js';
import { AuthorizationServerMetadataResponse } from './dto/authorization-server-metadata.response.js';
import { SigningKeys } from './signing-keys.js';
import { ApiPublic } from '../openapi/api-public.decorator.js';

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
  @ApiPublic()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): JwksResponse {
    return JwksResponse.of(this.keys.jwks());
  }

  @ApiOperation({
    summary: 'Discovery document (OpenID location)',
    description: 'The RFC 8414 metadata, where OpenID clients look first (openid-client\'s default). The same document as `/.well-known/oauth-authorization-server`; phone-auth issues no ID tokens.',
  })
  @ApiOkResponse({ type: AuthorizationServerMetadataResponse, description: 'Cacheable for 5 minutes.' })
  @ApiProblems([])
  @ApiPublic()
  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  configuration(): AuthorizationServerMetadataResponse {
    return this.metadata();
  }

  @ApiOperation({ summary: 'Authorization server metadata (RFC 8414)', description: 'Issuer, JWKS, token and introspection endpoints and how clients authenticate at them.' })
  @ApiOkResponse({ type: AuthorizationServerMetadataResponse, description: 'Cacheable for 5 minutes.' })
  @ApiProblems([])
  @Get('oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  authorizationServer(): AuthorizationServerMetadataResponse {
    return this.metadata();
  }

  private metadata(): AuthorizationServerMetadataResponse {
    return AuthorizationServerMetadataResponse.of(this.sessions.issuer, this.app.publicUrl, this.keys.current.algorithm);
  }
}

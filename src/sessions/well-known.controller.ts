import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../openapi/problem-details.schema.js';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/app.config.js';
import { sessionsConfig } from './sessions.config.js';
import { JwksResponse } from './dto/jwks.response.js';
import { OpenIdConfigurationResponse } from './dto/openid-configuration.response.js';
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

  @ApiOperation({ summary: 'Discovery document', description: 'Issuer, JWKS, introspection and token endpoints, algorithms and claims.' })
  @ApiOkResponse({ type: OpenIdConfigurationResponse, description: 'Cacheable for 5 minutes.' })
  @ApiProblems([])
  @ApiPublic()
  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  configuration(): OpenIdConfigurationResponse {
    return OpenIdConfigurationResponse.of(this.sessions.issuer, this.app.publicUrl, this.keys.current.algorithm);
  }
}

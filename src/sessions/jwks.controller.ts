import { Controller, Get, Header } from '@nestjs/common';
import { SigningKey } from './signing-keys.js';

@Controller('.well-known')
export class JwksController {
  constructor(private readonly key: SigningKey) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks() {
    return { keys: [this.key.publicJwk] };
  }
}

import { Controller, Get, UseGuards } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { AccessTokenClaims, VerifierOptions } from '@phone-auth/verify';
import { CurrentUser, PhoneAuthGuard, PhoneAuthModule } from '@phone-auth/verify/nest';
import { adapterContract } from './adapter-contract.js';

@Controller('me')
class MeController {
  @Get()
  @UseGuards(PhoneAuthGuard)
  me(@CurrentUser() user: AccessTokenClaims, @CurrentUser('phone_number') phoneNumber: string) {
    return { sub: user.sub, phone_number: phoneNumber };
  }
}

describe('PhoneAuthGuard (NestJS on Fastify)', () => {
  adapterContract({
    async start(options: VerifierOptions) {
      const moduleRef = await Test.createTestingModule({ imports: [PhoneAuthModule.forRoot(options)], controllers: [MeController] }).compile();
      const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      return {
        async me(authorization) {
          const response = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/me', headers: authorization ? { authorization } : {} });
          const challenge = response.headers['www-authenticate'];
          return { status: response.statusCode, wwwAuthenticate: typeof challenge === 'string' ? challenge : null, body: response.body };
        },
        close: () => app.close(),
      };
    },
  });
});

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  // PUBLIC_URL of phone-auth, without a trailing "/": it is the issuer as well as the JWKS host.
  const phoneAuthUrl = (process.env.PHONE_AUTH_URL || 'http://localhost:3000').replace(/\/+$/, '');
  const audience = process.env.PHONE_AUTH_AUDIENCE || phoneAuthUrl;
  // phone-auth's JWT_ALGORITHM: accept that one only.
  const algorithms = (process.env.PHONE_AUTH_ALGORITHMS || 'ES256').split(',').map((alg) => alg.trim());
  const port = Number(process.env.PORT || 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${process.env.PORT}`);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ issuer: phoneAuthUrl, audience, algorithms }),
    new FastifyAdapter(),
  );
  app.enableShutdownHooks();
  await app.listen(port, '0.0.0.0');
  new Logger('Bootstrap').log(`downstream example on port ${port}, trusting tokens of ${phoneAuthUrl}`);
}

await bootstrap();

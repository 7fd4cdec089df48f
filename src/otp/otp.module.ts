import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { storeAdapter } from '../redis/store-adapter.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { InMemoryIdempotencyRepository } from './in-memory-idempotency.repository.js';
import { RedisIdempotencyRepository } from './redis-idempotency.repository.js';
import { InMemoryVerificationRepository } from './in-memory-verification.repository.js';
import { OtpCodeGenerator, RandomOtpCodeGenerator } from './otp-code.generator.js';
import { OtpController } from './otp.controller.js';
import { OtpService } from './otp.service.js';
import { RedisVerificationRepository } from './redis-verification.repository.js';
import { VerificationRepository } from './verification.repository.js';

@Module({
  imports: [ProvidersModule, SessionsModule, ClientsModule, ThrottlingModule],
  controllers: [OtpController],
  providers: [
    OtpService,
    { provide: OtpCodeGenerator, useClass: RandomOtpCodeGenerator },
    IdempotencyInterceptor,
    storeAdapter(IdempotencyRepository, {
      redis: ({ client, scripts, keys }) => new RedisIdempotencyRepository(client, scripts, keys),
      memory: () => new InMemoryIdempotencyRepository(),
    }),
    storeAdapter(VerificationRepository, {
      redis: ({ client, scripts, keys }) => new RedisVerificationRepository(client, scripts, keys),
      memory: () => new InMemoryVerificationRepository(),
    }),
  ],
  exports: [OtpService, VerificationRepository],
})
export class OtpModule {}

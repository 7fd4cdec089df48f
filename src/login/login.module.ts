import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { OtpModule } from '../otp/otp.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.constants.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { InMemoryIdempotencyRepository } from './in-memory-idempotency.repository.js';
import { LoginController } from './login.controller.js';
import { LoginMetrics } from './login-metrics.js';
import { LoginService } from './login.service.js';
import { RedisIdempotencyRepository } from './redis-idempotency.repository.js';

/** The use cases "send a code" and "verify a code", over otp/, providers/, throttling/ and sessions/. */
@Module({
  imports: [OtpModule, ProvidersModule, SessionsModule, ThrottlingModule, ClientsModule],
  controllers: [LoginController],
  providers: [
    LoginService,
    LoginMetrics,
    IdempotencyInterceptor,
    {
      provide: IdempotencyRepository,
      inject: [REDIS_CLIENT, RedisKeys],
      useFactory: (redis: RedisClient | null, keys: RedisKeys) =>
        redis ? new RedisIdempotencyRepository(redis, keys) : new InMemoryIdempotencyRepository(),
    },
  ],
})
export class LoginModule {}

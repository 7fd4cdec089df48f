import { Module } from '@nestjs/common';
import { CaptchaModule } from '../captcha/captcha.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { OtpModule } from '../otp/otp.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { storeAdapter } from '../redis/store-adapter.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { InMemoryIdempotencyRepository } from './in-memory-idempotency.repository.js';
import { LoginController } from './login.controller.js';
import { LoginMetrics } from './login-metrics.js';
import { LoginService } from './login.service.js';
import { RedisIdempotencyRepository } from './redis-idempotency.repository.js';
import { StepUpService } from './step-up.service.js';
import { PhoneChangeController } from './phone-change.controller.js';
import { PhoneChangeService } from './phone-change.service.js';

/** The use cases "send a code" and "verify a code" (a login, a step-up inside a session, a move to a new number), over otp/, providers/, throttling/ and sessions/. */
@Module({
  imports: [OtpModule, ProvidersModule, SessionsModule, ThrottlingModule, ClientsModule, CaptchaModule],
  controllers: [LoginController, PhoneChangeController],
  providers: [
    LoginService,
    StepUpService,
    PhoneChangeService,
    LoginMetrics,
    IdempotencyInterceptor,
    storeAdapter(IdempotencyRepository, {
      redis: ({ client, scripts, keys }) => new RedisIdempotencyRepository(client, scripts, keys),
      memory: () => new InMemoryIdempotencyRepository(),
    }),
  ],
})
export class LoginModule {}

import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { CommonModule } from './common/common.module.js';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter.js';
import { appConfig, clientsConfig, otpConfig, providersConfig, redisConfig, sessionsConfig, throttlingConfig } from './config/index.js';
import { DemoModule } from './demo/demo.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { OtpModule } from './otp/otp.module.js';
import { RedisModule } from './redis/redis.module.js';

@Module({
  imports: [
    // Each namespace validates the whole environment when it loads (see config/environment.ts).
    ConfigModule.forRoot({
      isGlobal: true,
      load: [appConfig, redisConfig, otpConfig, providersConfig, sessionsConfig, clientsConfig, throttlingConfig],
    }),
    LoggingModule,
    CommonModule,
    RedisModule,
    MetricsModule,
    OtpModule,
    HealthModule,
    DemoModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
})
export class AppModule {}

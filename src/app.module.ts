import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminModule } from './admin/admin.module.js';
import { CommonModule } from './common/common.module.js';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter.js';
import { AppConfigModule } from './config/app-config.module.js';
import type { Environment } from './config/environment.js';
import { DemoModule } from './demo/demo.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { LoginModule } from './login/login.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ProblemPagesModule } from './openapi/problem-pages.module.js';
import { ReceiptsModule } from './receipts/receipts.module.js';
import { RedisModule } from './redis/redis.module.js';

@Module({})
export class AppModule {
  /** The whole service on an environment validated by the caller (validateEnvironment). */
  static forRoot(env: Environment): DynamicModule {
    return {
      module: AppModule,
      imports: [AppConfigModule.forRoot(env), LoggingModule, CommonModule, RedisModule, EventsModule, MetricsModule, LoginModule, HealthModule, DemoModule, AdminModule, ReceiptsModule, ProblemPagesModule],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}

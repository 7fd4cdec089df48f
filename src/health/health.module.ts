import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ProvidersModule } from '../providers/providers.module.js';
import { HealthController } from './health.controller.js';
import { RedisHealth } from './redis.health.js';
import { ShutdownState } from './shutdown-state.js';
import { StoreStatus } from './store-status.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ProvidersModule],
  controllers: [HealthController],
  providers: [RedisHealth, ShutdownState, StoreStatus],
})
export class HealthModule {}

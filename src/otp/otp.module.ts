import { Module } from '@nestjs/common';
import { EventLog } from '../events/event-log.js';
import { storeAdapter } from '../redis/store-adapter.js';
import { InMemoryVerificationRepository } from './in-memory-verification.repository.js';
import { OtpCodeGenerator, RandomOtpCodeGenerator } from './otp-code.generator.js';
import { OtpCodeHasher } from './otp-code.hasher.js';
import { RedisVerificationRepository } from './redis-verification.repository.js';
import { VerificationRepository } from './verification.repository.js';
import { VerificationService } from './verification.service.js';

/** Verification state: open, check, settle, cancel, read. */
@Module({
  providers: [
    VerificationService,
    OtpCodeHasher,
    { provide: OtpCodeGenerator, useClass: RandomOtpCodeGenerator },
    storeAdapter<VerificationRepository, [EventLog]>(VerificationRepository, {
      inject: [EventLog],
      redis: ({ client, scripts, keys }, events) => new RedisVerificationRepository(client, scripts, keys, events),
      memory: (events) => new InMemoryVerificationRepository(events),
    }),
  ],
  exports: [VerificationService],
})
export class OtpModule {}

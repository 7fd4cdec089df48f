import { Module } from '@nestjs/common';
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
    storeAdapter(VerificationRepository, {
      redis: ({ client, scripts, keys }) => new RedisVerificationRepository(client, scripts, keys),
      memory: () => new InMemoryVerificationRepository(),
    }),
  ],
  exports: [VerificationService],
})
export class OtpModule {}

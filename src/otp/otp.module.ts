import { Module } from '@nestjs/common';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.constants.js';
import { RedisKeys } from '../redis/redis-keys.js';
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
    {
      provide: VerificationRepository,
      inject: [REDIS_CLIENT, RedisKeys],
      useFactory: (redis: RedisClient | null, keys: RedisKeys) =>
        redis ? new RedisVerificationRepository(redis, keys) : new InMemoryVerificationRepository(),
    },
  ],
  exports: [VerificationService],
})
export class OtpModule {}

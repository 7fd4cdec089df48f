import { InMemoryVerificationRepository } from '../../src/otp/in-memory-verification.repository.js';
import { RedisVerificationRepository } from '../../src/otp/redis-verification.repository.js';
import { CONTRACT_KEYS, onEveryStore, scriptsFor } from './every-store.js';
import { verificationRepositoryContract } from './verification-repository.contract.js';

onEveryStore(verificationRepositoryContract, (redis, events) =>
  redis ? new RedisVerificationRepository(redis, scriptsFor(redis), CONTRACT_KEYS, events) : new InMemoryVerificationRepository(events),
);

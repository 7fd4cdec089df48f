import { InMemoryVerificationRepository } from '../../src/otp/in-memory-verification.repository.js';
import { RedisVerificationRepository } from '../../src/otp/redis-verification.repository.js';
import { CONTRACT_KEYS, eventLogFor, onEveryStore, scriptsFor } from './every-store.js';
import { verificationRepositoryContract } from './verification-repository.contract.js';

onEveryStore(verificationRepositoryContract, (redis) =>
  redis ? new RedisVerificationRepository(redis, scriptsFor(redis), CONTRACT_KEYS, eventLogFor(redis)) : new InMemoryVerificationRepository(eventLogFor(null)),
);

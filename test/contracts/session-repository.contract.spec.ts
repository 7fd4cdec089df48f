import { InMemorySessionRepository } from '../../src/sessions/in-memory-session.repository.js';
import { RedisSessionRepository } from '../../src/sessions/redis-session.repository.js';
import { CONTRACT_KEYS, onEveryStore, scriptsFor } from './every-store.js';
import { sessionRepositoryContract } from './session-repository.contract.js';

onEveryStore(sessionRepositoryContract, (redis, events) =>
  redis ? new RedisSessionRepository(redis, scriptsFor(redis), CONTRACT_KEYS, 86400 * 30, events) : new InMemorySessionRepository(events),
);

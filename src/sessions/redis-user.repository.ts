import type { RedisClient } from '../redis/redis.constants.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { onStore } from '../redis/store-unavailable.js';
import { UserRepository } from './user.repository.js';

export class RedisUserRepository extends UserRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    super();
  }

  async findOrCreate(phone: string, newId: string): Promise<string> {
    // SET NX GET: one atomic command that creates the id or returns the existing one.
    const existing = await onStore(() => this.redis.set(this.keys.userIdByPhone(phone), newId, 'NX', 'GET'));
    return existing ?? newId;
  }
}

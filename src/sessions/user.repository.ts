import type { Redis } from 'ioredis';
import { RedisKeys } from '../redis/redis-keys.js';
import { onStore } from '../redis/store-unavailable.js';

/** The stable user id of each phone number, created on its first successful verification. */
export abstract class UserRepository {
  /** The phone's user id; `newId` becomes it if the phone has none yet (first writer wins). */
  abstract findOrCreate(phone: string, newId: string): Promise<string>;
}

export class InMemoryUserRepository extends UserRepository {
  private readonly ids = new Map<string, string>();

  async findOrCreate(phone: string, newId: string): Promise<string> {
    const existing = this.ids.get(phone);
    if (existing !== undefined) return existing;
    this.ids.set(phone, newId);
    return newId;
  }
}

export class RedisUserRepository extends UserRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    super();
  }

  async findOrCreate(phone: string, newId: string): Promise<string> {
    // SET NX GET: one atomic command that creates or returns the existing id.
    const existing = await onStore(() => this.redis.set(this.keys.userIdByPhone(phone), newId, 'NX', 'GET'));
    return existing ?? newId;
  }
}

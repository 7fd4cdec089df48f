import type { RedisClient } from '../redis/redis.constants.js';
import { execOrThrow } from '../redis/exec-or-throw.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { onStore } from '../redis/store-unavailable.js';
import { OutboxMessage, OutboxRepository } from './outbox.repository.js';

export class RedisOutboxRepository extends OutboxRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    super();
  }

  async append(message: OutboxMessage): Promise<void> {
    const key = this.keys.outbox(message.to);
    await onStore(() =>
      execOrThrow(
        this.redis
          .multi()
          .lpush(key, JSON.stringify(message))
          .ltrim(key, 0, OutboxRepository.KEEP_PER_PHONE - 1)
          .expire(key, OutboxRepository.KEEP_SECONDS),
      ),
    );
  }

  async list(to: string): Promise<OutboxMessage[]> {
    const items = await onStore(() => this.redis.lrange(this.keys.outbox(to), 0, -1));
    return items.map((item) => JSON.parse(item) as OutboxMessage);
  }
}

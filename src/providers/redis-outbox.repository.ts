import type { RedisClient } from '../redis/redis.constants.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { RedisScripts } from '../redis/redis-scripts.js';
import { onStore } from '../redis/store-unavailable.js';
import { OutboxMessage, OutboxRepository } from './outbox.repository.js';
import { APPEND_OUTBOX } from './scripts/append-outbox.script.js';

export class RedisOutboxRepository extends OutboxRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly scripts: RedisScripts,
    private readonly keys: RedisKeys,
  ) {
    super();
    scripts.register(APPEND_OUTBOX);
  }

  async append(message: OutboxMessage): Promise<void> {
    await onStore(() =>
      this.scripts.run(
        APPEND_OUTBOX,
        { outbox: this.keys.outbox(message.to) },
        { message: JSON.stringify(message), keep: OutboxRepository.KEEP_PER_PHONE, ttlSeconds: OutboxRepository.KEEP_SECONDS },
      ),
    );
  }

  async list(to: string): Promise<OutboxMessage[]> {
    const items = await onStore(() => this.redis.lrange(this.keys.outbox(to), 0, -1));
    return items.map((item) => JSON.parse(item) as OutboxMessage);
  }
}

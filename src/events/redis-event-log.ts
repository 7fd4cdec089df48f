import type { Clock } from '../common/time/clock.js';
import type { RedisStore } from '../redis/store-adapter.js';
import { BaseEventLog } from './base-event-log.js';
import type { EventDraft } from './event-log.js';
import type { EventType } from './event-types.js';

/** Events in the 16 shard streams (`events:{<shard>}:stream`); scripts append with their change. */
export class RedisEventLog extends BaseEventLog {
  constructor(
    private readonly store: RedisStore,
    clock: Clock,
    streamMaxLength: number,
  ) {
    super(clock, streamMaxLength);
  }

  async append(type: EventType, draft: EventDraft, shardOf?: string): Promise<void> {
    const stream = this.store.keys.eventStream(this.store.keys.eventShard(shardOf ?? draft.id));
    await this.store.client.xadd(stream, 'MAXLEN', '~', this.streamMaxLength, '*', 'id', draft.id, 'type', type, 'time', draft.occurredAtMs, 'data', draft.data);
  }
}

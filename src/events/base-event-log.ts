import type { Clock } from '../common/time/clock.js';
import { randomBase64Url } from '../common/random/random-pool.js';
import { EventLog, type EventDraft } from './event-log.js';
import type { EventData } from './event-types.js';

/** The draft both adapters make: a fresh id, the clock's time, the payload as JSON. */
export abstract class BaseEventLog extends EventLog {
  constructor(
    protected readonly clock: Clock,
    readonly streamMaxLength: number,
  ) {
    super();
  }

  draft(data: EventData): EventDraft {
    return { id: `evt_${randomBase64Url(16)}`, occurredAtMs: this.clock.nowMs(), data: JSON.stringify(data) };
  }
}

import type { Clock } from '../common/time/clock.js';
import { BaseEventLog } from './base-event-log.js';
import type { EventDraft } from './event-log.js';
import type { EventData, EventType, RecordedEvent } from './event-types.js';

type Listener = (event: RecordedEvent) => void;

/**
 * The embedded mode's event log: an in-process queue. It records synchronously, so an in-memory
 * repository's change and its event happen together; it does not survive a restart.
 */
export class InMemoryEventLog extends BaseEventLog {
  private readonly pending: RecordedEvent[] = [];
  private readonly listeners = new Set<Listener>();

  constructor(clock: Clock, streamMaxLength: number) {
    super(clock, streamMaxLength);
  }

  append(type: EventType, draft: EventDraft): Promise<void> {
    const event: RecordedEvent = { id: draft.id, type, occurredAtMs: draft.occurredAtMs, data: JSON.parse(draft.data) as EventData };
    this.pending.push(event);
    if (this.pending.length > this.streamMaxLength) this.pending.shift();
    for (const listener of this.listeners) listener(event);
    return Promise.resolve();
  }

  /** Takes up to `count` recorded events, oldest first (the dispatcher's read). */
  take(count: number): RecordedEvent[] {
    return this.pending.splice(0, count);
  }

  /** Calls `listener` on each event as it is recorded (the dispatcher's wake-up); returns the unsubscribe. */
  onAppend(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

import type { EventData, EventType } from './event-types.js';

/**
 * An event about to be recorded with the state change it reports: its id and time are fixed
 * before the change runs, so a retried script records the same event.
 */
export interface EventDraft {
  readonly id: string;
  readonly occurredAtMs: number;
  /** The payload as JSON. */
  readonly data: string;
}

/** A script's named arguments for its event (`ARGV`), from eventArgs(). */
export interface EventArgs {
  eventId: string;
  eventTimeMs: number;
  eventData: string;
  /** The stream's approximate cap (`XADD … MAXLEN ~`): a bound on memory if dispatch stalls. */
  eventStreamMaxLength: number;
}

/**
 * The durable outbox of events. A repository records an event **in the same atomic step** as the
 * state change it reports: its Redis adapter passes `draft()` to the change's script (KEYS
 * `events`, ARGV from `eventArgs()`), which appends it to the shard's stream; its in-memory
 * adapter calls `append()` inside the change (the in-memory log records synchronously).
 * `append()` alone is for events no state change carries (`provider.circuit_opened`).
 */
export abstract class EventLog {
  /** The stream cap scripts pass to `XADD … MAXLEN ~`. */
  abstract readonly streamMaxLength: number;

  abstract draft(data: EventData): EventDraft;

  /**
   * Records an event. `shardOf` (an entity's tag) picks its stream on Redis; without it, the
   * event id does. The in-memory log records before returning.
   */
  abstract append(type: EventType, draft: EventDraft, shardOf?: string): Promise<void>;

  /** The script arguments of a draft. */
  eventArgs(draft: EventDraft): EventArgs {
    return { eventId: draft.id, eventTimeMs: draft.occurredAtMs, eventData: draft.data, eventStreamMaxLength: this.streamMaxLength };
  }
}

/**
 * The events phone-auth publishes: a stable type each, an id, a time and a small JSON payload.
 * A payload never holds a code or a token; it holds a full phone number only in its `phone`
 * field, which the dispatcher removes for subscribers that did not ask for phone numbers.
 */
export const EVENT_TYPES = [
  'verification.sent',
  'verification.approved',
  'verification.failed',
  'verification.canceled',
  'verification.delivery_failed',
  'session.created',
  'session.revoked',
  'session.refresh_reused',
  'user.created',
  'fraud.blocked',
  'provider.circuit_opened',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Why a session ended, as `session.revoked` says. */
export type SessionRevokedReason = 'logout' | 'admin' | 'reuse' | 'ban' | 'erasure' | 'phone_change';

/** An event's payload: flat JSON; `phone` (E.164) is the only field that may carry a number. */
export type EventData = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

/** An event as recorded and delivered. */
export interface RecordedEvent {
  /** `evt_` and 128 random bits: the `webhook-id`, stable across retries. */
  readonly id: string;
  readonly type: EventType;
  readonly occurredAtMs: number;
  readonly data: EventData;
}

/**
 * The fields of an event's stream entry, written by the scripts (`XADD … id <id> type <type>
 * time <ms> data <json>`) and read by the dispatcher.
 */
export const EVENT_ENTRY_FIELDS = ['id', 'type', 'time', 'data'] as const;

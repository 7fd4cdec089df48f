export type IdempotencyBegin =
  | { state: 'started' }
  | { state: 'in_flight' }
  | { state: 'conflict' }
  | { state: 'completed'; response: string };

/**
 * Remembers what was answered to a request with an Idempotency-Key. `begin` is atomic: of
 * concurrent requests with one key, one is `started`; the others see `in_flight` until it
 * completes (or is released after a failure), then its answer. Another fingerprint under the
 * same key is a `conflict`.
 */
export abstract class IdempotencyRepository {
  /** `pendingTtlSeconds` bounds how long a crashed request keeps its key blocked. */
  abstract begin(key: string, fingerprint: string, pendingTtlSeconds: number, nowMs: number): Promise<IdempotencyBegin>;
  abstract complete(key: string, response: string, ttlSeconds: number, nowMs: number): Promise<void>;
  /** Forgets a started key whose request failed, so that a retry runs again. */
  abstract release(key: string): Promise<void>;
}

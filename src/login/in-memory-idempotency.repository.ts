import { IdempotencyBegin, IdempotencyRepository } from './idempotency.repository.js';

interface Entry {
  fingerprint: string;
  response?: string;
  expiresAtMs: number;
}

export class InMemoryIdempotencyRepository extends IdempotencyRepository {
  private readonly entries = new Map<string, Entry>();

  async begin(key: string, fingerprint: string, pendingTtlSeconds: number, nowMs: number): Promise<IdempotencyBegin> {
    this.evict(nowMs);
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.entries.set(key, { fingerprint, expiresAtMs: nowMs + pendingTtlSeconds * 1000 });
      return { state: 'started' };
    }
    if (entry.fingerprint !== fingerprint) return { state: 'conflict' };
    return entry.response === undefined ? { state: 'in_flight' } : { state: 'completed', response: entry.response };
  }

  async complete(key: string, response: string, ttlSeconds: number, nowMs: number): Promise<void> {
    const entry = this.entries.get(key);
    if (entry) Object.assign(entry, { response, expiresAtMs: nowMs + ttlSeconds * 1000 });
  }

  async release(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private evict(nowMs: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAtMs <= nowMs) this.entries.delete(key);
  }
}

import type { Redis } from 'ioredis';

/**
 * Puts a throwaway Redis's key lifetimes on a test's virtual clock, so a model test can compare a
 * Redis adapter with its in-memory twin across TTLs without waiting. Redis counts a PEXPIRE on its
 * own clock; the twins count deadlines on the caller's `nowMs`. After every command, capture()
 * reads each key's remaining lifetime, records it as a deadline on the virtual clock and PERSISTs
 * the key, so nothing expires in real time; advance() deletes the keys whose deadline has come,
 * at the instant the in-memory adapters drop theirs (deadline <= now).
 *
 * Lifetimes must be whole seconds (virtual times too): PTTL is read a few ms after the command and
 * rounded. Every key must get a lifetime: a key without one is reported as a leak, except the
 * event shard streams, which their MAXLEN bounds instead.
 */
const EVENT_STREAM = /events:\{[^}]+\}:stream$/;

export class RedisVirtualExpiry {
  private readonly deadlines = new Map<string, number>();

  /** `admin` is a client without key prefix on a server that only the model test uses. */
  constructor(private readonly admin: Redis) {}

  /** Empties the throwaway server for the next run. */
  async reset(): Promise<void> {
    await this.admin.flushdb();
    this.deadlines.clear();
  }

  async capture(nowMs: number): Promise<void> {
    const keys = await this.admin.keys('*');
    const present = new Set(keys);
    for (const key of [...this.deadlines.keys()]) if (!present.has(key)) this.deadlines.delete(key);
    if (keys.length === 0) return;
    const replies = (await this.admin.pipeline(keys.map((key) => ['pttl', key])).exec()) ?? [];
    const renewed: string[] = [];
    for (const [index, [error, pttl]] of replies.entries()) {
      if (error) throw error;
      const key = keys[index];
      if (Number(pttl) >= 0) {
        this.deadlines.set(key, nowMs + Math.round(Number(pttl) / 1000) * 1000);
        renewed.push(key);
      } else if (Number(pttl) === -1 && !this.deadlines.has(key) && !EVENT_STREAM.test(key)) {
        throw new Error(`redis key ${key} was written without a lifetime`);
      }
    }
    if (renewed.length > 0) await this.admin.pipeline(renewed.map((key) => ['persist', key])).exec();
  }

  async advance(nowMs: number): Promise<void> {
    const due = [...this.deadlines].filter(([, deadlineMs]) => deadlineMs <= nowMs).map(([key]) => key);
    if (due.length === 0) return;
    await this.admin.del(...due);
    for (const key of due) this.deadlines.delete(key);
  }
}

import type { EventLog } from '../events/event-log.js';
import { LoginRecorded, UserBan, UserRecord, UserRepository } from './user.repository.js';

interface Stored {
  id: string;
  phone: string;
  createdAtMs: number | null;
  lastLoginAtMs: number | null;
  ban?: UserBan;
  /** A tombstone: erased at this time, dropped a while later. */
  erasedAtMs?: number;
}

/** For one process: the embedded default and fast tests. JavaScript runs each method to its end. */
export class InMemoryUserRepository extends UserRepository {
  private readonly ids = new Map<string, string>();
  private readonly records = new Map<string, Stored>();

  /** The in-memory log records synchronously: user.created lands with the index entry. */
  constructor(private readonly events: EventLog) {
    super();
  }

  async findOrCreate(phone: string, newId: string): Promise<string> {
    const existing = this.ids.get(phone);
    if (existing !== undefined) return existing;
    this.ids.set(phone, newId);
    void this.events.append('user.created', this.events.draft({ userId: newId, phone }));
    return newId;
  }

  async recordLogin(userId: string, phone: string, nowMs: number): Promise<LoginRecorded> {
    const stored = this.stored(userId, nowMs);
    if (stored?.erasedAtMs !== undefined) return 'erased';
    if (stored?.ban && inForce(stored.ban, nowMs)) return 'banned';
    if (stored !== undefined && stored.phone !== phone) return 'moved';
    if (stored === undefined) this.records.set(userId, { id: userId, phone, createdAtMs: nowMs, lastLoginAtMs: nowMs });
    else stored.lastLoginAtMs = nowMs;
    return 'recorded';
  }

  async find(userId: string, nowMs: number): Promise<UserRecord | null> {
    return view(this.stored(userId, nowMs), nowMs);
  }

  async findByPhone(phone: string, nowMs: number): Promise<UserRecord | null> {
    const userId = this.ids.get(phone);
    if (userId === undefined) return null;
    const stored = this.stored(userId, nowMs);
    if (stored === undefined) this.records.set(userId, { id: userId, phone, createdAtMs: null, lastLoginAtMs: null });
    const record = view(this.stored(userId, nowMs), nowMs);
    // A stale index (a phone change that stopped halfway) names a user who no longer has the number.
    return record?.phone === phone ? record : null;
  }

  async ban(userId: string, ban: UserBan): Promise<UserRecord | null> {
    const stored = this.live(userId, ban.sinceMs);
    if (stored) stored.ban = { ...ban };
    return view(stored, ban.sinceMs);
  }

  async unban(userId: string, nowMs: number): Promise<UserRecord | null> {
    const stored = this.live(userId, nowMs);
    if (stored) delete stored.ban;
    return view(stored, nowMs);
  }

  async tombstone(userId: string, nowMs: number): Promise<UserRecord | null> {
    const stored = this.live(userId, nowMs);
    if (stored === undefined) return null;
    const erased = view(stored, nowMs);
    this.records.set(userId, { id: userId, phone: '', createdAtMs: null, lastLoginAtMs: null, erasedAtMs: nowMs });
    return erased;
  }

  async claimPhone(userId: string, phone: string): Promise<boolean> {
    const holder = this.ids.get(phone);
    if (holder !== undefined && holder !== userId) return false;
    this.ids.set(phone, userId);
    return true;
  }

  async setPhone(userId: string, phone: string, nowMs: number): Promise<string | null> {
    const stored = this.records.get(userId);
    if (stored === undefined || stored.erasedAtMs !== undefined) return null;
    if (stored.ban && inForce(stored.ban, nowMs)) return null;
    const previousPhone = stored.phone;
    stored.phone = phone;
    return previousPhone;
  }

  async releasePhone(phone: string, userId: string): Promise<void> {
    if (this.ids.get(phone) === userId) this.ids.delete(phone);
  }

  /** The record or tombstone; a tombstone past its lifetime is gone. */
  private stored(userId: string, nowMs: number): Stored | undefined {
    const stored = this.records.get(userId);
    if (stored?.erasedAtMs !== undefined && stored.erasedAtMs + UserRepository.ERASED_TOMBSTONE_SECONDS * 1000 <= nowMs) {
      this.records.delete(userId);
      return undefined;
    }
    return stored;
  }

  /** The record of a user that exists and is not erased. */
  private live(userId: string, nowMs: number): Stored | undefined {
    const stored = this.stored(userId, nowMs);
    return stored?.erasedAtMs === undefined ? stored : undefined;
  }
}

function inForce(ban: UserBan, nowMs: number): boolean {
  return ban.untilMs === null || ban.untilMs > nowMs;
}

function view(stored: Stored | undefined, nowMs: number): UserRecord | null {
  if (stored === undefined || stored.erasedAtMs !== undefined) return null;
  return {
    id: stored.id,
    phone: stored.phone,
    createdAtMs: stored.createdAtMs,
    lastLoginAtMs: stored.lastLoginAtMs,
    ban: stored.ban && inForce(stored.ban, nowMs) ? { ...stored.ban } : null,
  };
}

import { EventLog } from '../events/event-log.js';
import type { RedisClient } from '../redis/redis.constants.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { RedisScripts } from '../redis/redis-scripts.js';
import { onStore } from '../redis/store-unavailable.js';
import { BAN_USER } from './scripts/ban-user.script.js';
import { ERASE_USER } from './scripts/erase-user.script.js';
import { FIND_OR_CREATE_USER } from './scripts/find-or-create-user.script.js';
import { RECORD_LOGIN } from './scripts/record-login.script.js';
import { SET_USER_PHONE } from './scripts/set-user-phone.script.js';
import { UNINDEX_PHONE } from './scripts/unindex-phone.script.js';
import { LoginRecorded, UserBan, UserRecord, UserRepository } from './user.repository.js';

// The phone index (`user:{phone tag}:id`) and the record (`user:{user id}:record`) sit in two
// slots: each step below is atomic on one of them.
export class RedisUserRepository extends UserRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly scripts: RedisScripts,
    private readonly keys: RedisKeys,
    private readonly events: EventLog,
  ) {
    super();
    scripts.register(FIND_OR_CREATE_USER, RECORD_LOGIN, BAN_USER, ERASE_USER, SET_USER_PHONE, UNINDEX_PHONE);
  }

  async findOrCreate(phone: string, newId: string): Promise<string> {
    // SET NX GET in a script: the id and its user.created, in the phone's slot, in one command.
    const keys = { phoneIndex: this.keys.userIdByPhone(phone), events: this.keys.entityEvents(this.keys.phoneTag(phone)) };
    const draft = this.events.draft({ userId: newId, phone });
    const existing = await onStore(() => this.scripts.run(FIND_OR_CREATE_USER, keys, { newId, ...this.events.eventArgs(draft) }));
    return existing ?? newId;
  }

  async recordLogin(userId: string, phone: string, nowMs: number): Promise<LoginRecorded> {
    const reply = await onStore(() => this.scripts.run(RECORD_LOGIN, { user: this.keys.userRecord(userId) }, { userId, phone, nowMs }));
    return reply as LoginRecorded;
  }

  async find(userId: string, nowMs: number): Promise<UserRecord | null> {
    return fromHash(await onStore(() => this.redis.hgetall(this.keys.userRecord(userId))), nowMs);
  }

  async findByPhone(phone: string, nowMs: number): Promise<UserRecord | null> {
    const userId = await onStore(() => this.redis.get(this.keys.userIdByPhone(phone)));
    if (userId === null) return null;
    const reply = await onStore(() => this.scripts.run(SET_USER_PHONE, { user: this.keys.userRecord(userId) }, { userId, phone, mode: 'adopt', nowMs }));
    const record = fromHash(pairs(reply), nowMs);
    // A stale index (a phone change that stopped halfway) names a user who no longer has the number.
    return record?.phone === phone ? record : null;
  }

  async ban(userId: string, ban: UserBan): Promise<UserRecord | null> {
    const reply = await onStore(() =>
      this.scripts.run(BAN_USER, { user: this.keys.userRecord(userId) }, { sinceMs: ban.sinceMs, untilMs: ban.untilMs ?? 0, reason: ban.reason }),
    );
    return fromHash(pairs(reply), ban.sinceMs);
  }

  async unban(userId: string, nowMs: number): Promise<UserRecord | null> {
    const reply = await onStore(() => this.scripts.run(BAN_USER, { user: this.keys.userRecord(userId) }, { sinceMs: '', untilMs: 0, reason: '' }));
    return fromHash(pairs(reply), nowMs);
  }

  async tombstone(userId: string, nowMs: number): Promise<UserRecord | null> {
    const reply = await onStore(() =>
      this.scripts.run(ERASE_USER, { user: this.keys.userRecord(userId) }, { nowMs, tombstoneSeconds: UserRepository.ERASED_TOMBSTONE_SECONDS }),
    );
    return fromHash(pairs(reply), nowMs);
  }

  async claimPhone(userId: string, phone: string): Promise<boolean> {
    const holder = await onStore(() => this.redis.set(this.keys.userIdByPhone(phone), userId, 'NX', 'GET'));
    return holder === null || holder === userId;
  }

  async setPhone(userId: string, phone: string, nowMs: number): Promise<string | null> {
    const reply = await onStore(() => this.scripts.run(SET_USER_PHONE, { user: this.keys.userRecord(userId) }, { userId, phone, mode: 'change', nowMs }));
    // Before the change; the ban does not matter here.
    return fromHash(pairs(reply), 0)?.phone ?? null;
  }

  async releasePhone(phone: string, userId: string): Promise<void> {
    await this.unindex(phone, userId);
  }

  private async unindex(phone: string, userId: string): Promise<void> {
    await onStore(() => this.scripts.run(UNINDEX_PHONE, { phoneIndex: this.keys.userIdByPhone(phone) }, { userId }));
  }
}

function pairs(flat: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i]] = flat[i + 1];
  return record;
}

function fromHash(hash: Record<string, string>, nowMs: number): UserRecord | null {
  if (hash.id === undefined || hash.erasedAtMs !== undefined || hash.phone === undefined) return null;
  const untilMs = Number(hash.banUntilMs ?? 0) || null;
  const banned = hash.banSinceMs !== undefined && (untilMs === null || untilMs > nowMs);
  return {
    id: hash.id,
    phone: hash.phone,
    createdAtMs: hash.createdAtMs === undefined ? null : Number(hash.createdAtMs),
    lastLoginAtMs: hash.lastLoginAtMs === undefined ? null : Number(hash.lastLoginAtMs),
    ban: banned ? { sinceMs: Number(hash.banSinceMs), untilMs, reason: hash.banReason ?? '' } : null,
  };
}

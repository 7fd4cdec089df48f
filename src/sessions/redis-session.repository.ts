import { SET_SESSION_PHONE } from './scripts/set-session-phone.script.js';
import type { Channel } from '../common/channel.js';
import { EventLog } from '../events/event-log.js';
import type { SessionRevokedReason } from '../events/event-types.js';
import type { RedisClient } from '../redis/redis.constants.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { RedisScripts } from '../redis/redis-scripts.js';
import { onStore } from '../redis/store-unavailable.js';
import { isLive, oldestFirst, Session } from './session.js';
import { CREATE_SESSION } from './scripts/create-session.script.js';
import { INDEX_SESSION } from './scripts/index-session.script.js';
import { REVOKE_SESSION } from './scripts/revoke-session.script.js';
import { ROTATE_REFRESH_TOKEN } from './scripts/rotate-refresh-token.script.js';
import { RotateRefreshToken, RotateResult, sessionCreatedData, SessionRepository } from './session.repository.js';

export class RedisSessionRepository extends SessionRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly scripts: RedisScripts,
    private readonly keys: RedisKeys,
    /** The index of a user's sessions lives as long as the longest possible session. */
    private readonly indexTtlSeconds: number,
    private readonly events: EventLog,
  ) {
    super();
    scripts.register(ROTATE_REFRESH_TOKEN, REVOKE_SESSION, CREATE_SESSION, INDEX_SESSION, SET_SESSION_PHONE);
  }

  async create(session: Session): Promise<void> {
    const key = this.keys.session(session.id);
    const index = this.keys.userSessions(session.userId);
    const lifetimeMs = Math.min(session.expiresAtMs, session.idleExpiresAtMs) - session.createdAtMs;
    // The session and its index sit in different slots: two transactions, sent together.
    // One script per key (atomic, one command each), both sent in the same round trip.
    await onStore(() =>
      Promise.all([
        this.scripts.run(
          CREATE_SESSION,
          { session: key, events: this.keys.entityEvents(session.id) },
          { lifetimeMs, ...this.events.eventArgs(this.events.draft(sessionCreatedData(session))) },
          Object.entries(toHash(session)).map(([field, value]) => ({ field, value })),
        ),
        this.scripts.run(INDEX_SESSION, { userSessions: index }, { sessionId: session.id, ttlSeconds: this.indexTtlSeconds }),
      ]),
    );
  }

  async setPhone(id: string, phone: string, nowMs: number): Promise<boolean> {
    if ((await this.find(id, nowMs)) === null) return false;
    return (await onStore(() => this.scripts.run(SET_SESSION_PHONE, { session: this.keys.session(id) }, { phone }))) === 1;
  }

  async find(id: string, nowMs: number): Promise<Session | null> {
    const hash = await onStore(() => this.redis.hgetall(this.keys.session(id)));
    const session = hash.id === id ? fromHash(hash) : null;
    return session && isLive(session, nowMs) ? session : null;
  }

  async rotate(request: RotateRefreshToken): Promise<RotateResult> {
    const [outcome, ...rest] = await onStore(() =>
      this.scripts.run(
        ROTATE_REFRESH_TOKEN,
        { session: this.keys.session(request.sessionId), events: this.keys.entityEvents(request.sessionId) },
        {
          generation: request.generation,
          presentedHash: request.presentedHash,
          newHash: request.newHash,
          nowMs: request.nowMs,
          idleTtlMs: request.idleTtlSeconds * 1000,
          reuseGraceMs: request.reuseGraceSeconds * 1000,
          // Used only on a reuse, for both of its events.
          ...this.events.eventArgs(this.events.draft({ sessionId: request.sessionId })),
        },
      ),
    );
    switch (outcome) {
      case 'rotated':
        return { outcome, session: fromHash(pairs(rest)) };
      case 'reused':
        await this.unindex(rest[0], request.sessionId);
        return { outcome, userId: rest[0] };
      case 'just_rotated':
      case 'invalid':
        return { outcome };
      default:
        throw new Error(`unexpected reply from the rotate script: ${String(outcome)}`);
    }
  }

  async revoke(id: string, nowMs: number, reason: SessionRevokedReason): Promise<Session | null> {
    const draft = this.events.draft({ sessionId: id, reason });
    const keys = { session: this.keys.session(id), events: this.keys.entityEvents(id) };
    const reply = await onStore(() => this.scripts.run(REVOKE_SESSION, keys, { nowMs, ...this.events.eventArgs(draft) }));
    const hash = pairs(reply);
    if (hash.id !== id) return null;
    const session = fromHash(hash);
    await this.unindex(session.userId, id);
    return isLive(session, nowMs) ? session : null;
  }

  async listByUser(userId: string, nowMs: number): Promise<Session[]> {
    const ids = await onStore(() => this.redis.smembers(this.keys.userSessions(userId)));
    const found = await Promise.all(ids.map((id) => this.find(id, nowMs)));
    const gone = ids.filter((_, index) => found[index] === null);
    if (gone.length > 0) await this.unindex(userId, ...gone);
    return found.filter((session): session is Session => session !== null).sort(oldestFirst);
  }

  async revokeAllForUser(userId: string, nowMs: number, reason: SessionRevokedReason): Promise<number> {
    const ids = await onStore(() => this.redis.smembers(this.keys.userSessions(userId)));
    const revoked = await Promise.all(ids.map((id) => this.revoke(id, nowMs, reason)));
    return revoked.filter((session) => session !== null).length;
  }

  private async unindex(userId: string, ...sessionIds: string[]): Promise<void> {
    await onStore(() => this.redis.srem(this.keys.userSessions(userId), ...sessionIds));
  }
}

function pairs(flat: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i]] = flat[i + 1];
  return record;
}

function toHash(session: Session): Record<string, string> {
  return Object.fromEntries(
    Object.entries(session)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, String(value)]),
  );
}

function fromHash(hash: Record<string, string>): Session {
  const session: Session = {
    id: hash.id,
    userId: hash.userId,
    phone: hash.phone,
    refreshTokenHash: hash.refreshTokenHash,
    refreshTokenGeneration: Number(hash.refreshTokenGeneration ?? 0),
    rotatedAtMs: Number(hash.rotatedAtMs ?? 0),
    channel: (hash.channel ?? 'sms') as Channel,
    createdAtMs: Number(hash.createdAtMs),
    lastUsedAtMs: Number(hash.lastUsedAtMs),
    expiresAtMs: Number(hash.expiresAtMs),
    idleExpiresAtMs: Number(hash.idleExpiresAtMs),
  };
  for (const optional of ['clientId', 'userAgent', 'ip'] as const) {
    if (hash[optional] !== undefined) session[optional] = hash[optional];
  }
  return session;
}

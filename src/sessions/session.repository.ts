import type { Redis } from 'ioredis';
import { execOrThrow } from '../redis/exec-or-throw.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { onStore } from '../redis/store-unavailable.js';
import { Session } from './session.js';

/** Sessions by id; each is gone once its absolute expiry has passed. */
export abstract class SessionRepository {
  abstract create(session: Session): Promise<void>;
  abstract find(id: string, nowMs: number): Promise<Session | null>;
}

export class InMemorySessionRepository extends SessionRepository {
  private readonly sessions = new Map<string, Session>();

  async create(session: Session): Promise<void> {
    this.sessions.set(session.id, { ...session });
  }

  async find(id: string, nowMs: number): Promise<Session | null> {
    const session = this.sessions.get(id);
    if (session === undefined) return null;
    if (session.expiresAtMs <= nowMs) {
      this.sessions.delete(id);
      return null;
    }
    return { ...session };
  }
}

export class RedisSessionRepository extends SessionRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    super();
  }

  async create(session: Session): Promise<void> {
    const key = this.keys.session(session.id);
    await onStore(() =>
      execOrThrow(this.redis.multi().hset(key, toHash(session)).pexpire(key, session.expiresAtMs - session.createdAtMs)),
    );
  }

  async find(id: string): Promise<Session | null> {
    const hash = await onStore(() => this.redis.hgetall(this.keys.session(id)));
    return hash.id === id ? fromHash(hash) : null;
  }
}

function toHash(session: Session): Record<string, string> {
  return Object.fromEntries(
    Object.entries(session)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, String(value)]),
  );
}

function fromHash(hash: Record<string, string>): Session {
  return {
    id: hash.id,
    userId: hash.userId,
    phone: hash.phone,
    refreshTokenHash: hash.refreshTokenHash,
    clientId: hash.clientId,
    userAgent: hash.userAgent,
    ip: hash.ip,
    createdAtMs: Number(hash.createdAtMs),
    lastUsedAtMs: Number(hash.lastUsedAtMs),
    expiresAtMs: Number(hash.expiresAtMs),
  };
}

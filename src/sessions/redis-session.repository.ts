import type { RedisClient } from '../redis/redis.constants.js';
import { execOrThrow } from '../redis/exec-or-throw.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { onStore } from '../redis/store-unavailable.js';
import { isLive, Session } from './session.js';
import { RotateRefreshToken, RotateResult, SessionRepository } from './session.repository.js';

// KEYS[1] is the session hash (the session's only key: memory does not grow with rotations).
// ARGV: presented generation, presented hash, new hash, now (ms), idle lifetime (ms), grace (ms).
// The caller has checked the presented token's MAC, so its generation is one issued for this
// session: below the current one it is a spent token. Expiry is checked against the caller's
// clock, and key lifetimes are relative (PEXPIRE).
const ROTATE = `
local s = redis.call('HMGET', KEYS[1], 'refreshTokenHash', 'refreshTokenGeneration', 'rotatedAtMs',
  'expiresAtMs', 'idleExpiresAtMs', 'userId')
if not s[1] or not s[2] then return {'invalid'} end
local now = tonumber(ARGV[4])
if now >= tonumber(s[4]) or now >= tonumber(s[5]) then
  redis.call('DEL', KEYS[1])
  return {'invalid'}
end
local current = tonumber(s[2])
local presented = tonumber(ARGV[1])
if presented == current then
  if s[1] ~= ARGV[2] then return {'invalid'} end
  local idle = math.min(tonumber(s[4]), now + tonumber(ARGV[5]))
  redis.call('HSET', KEYS[1], 'refreshTokenHash', ARGV[3], 'refreshTokenGeneration', current + 1,
    'rotatedAtMs', now, 'lastUsedAtMs', now, 'idleExpiresAtMs', idle)
  redis.call('PEXPIRE', KEYS[1], idle - now)
  local record = redis.call('HGETALL', KEYS[1])
  table.insert(record, 1, 'rotated')
  return record
end
if presented > current then return {'invalid'} end
if presented == current - 1 and now - tonumber(s[3]) < tonumber(ARGV[6]) then return {'just_rotated'} end
redis.call('DEL', KEYS[1])
return {'reused', s[6]}
`;

// KEYS[1]: a hash; ARGV: lifetime (ms), then field/value pairs.
const CREATE = `
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
`;

// KEYS[1]: a set; ARGV: member, lifetime (s).
const INDEX = `
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
`;

const REVOKE = `
local record = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return record
`;

type Reply = string[];
interface SessionScripts {
  phoneAuthSessionRotate(session: string, ...args: (string | number)[]): Promise<Reply>;
  phoneAuthSessionRevoke(session: string): Promise<Reply>;
  phoneAuthSessionCreate(session: string, lifetimeMs: number, ...fields: string[]): Promise<null>;
  phoneAuthSessionIndex(index: string, sessionId: string, ttlSeconds: number): Promise<null>;
}

export class RedisSessionRepository extends SessionRepository {
  private readonly scripts: SessionScripts;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    /** The index of a user's sessions lives as long as the longest possible session. */
    private readonly indexTtlSeconds: number,
  ) {
    super();
    redis.defineCommand('phoneAuthSessionRotate', { numberOfKeys: 1, lua: ROTATE });
    redis.defineCommand('phoneAuthSessionRevoke', { numberOfKeys: 1, lua: REVOKE });
    redis.defineCommand('phoneAuthSessionCreate', { numberOfKeys: 1, lua: CREATE });
    redis.defineCommand('phoneAuthSessionIndex', { numberOfKeys: 1, lua: INDEX });
    this.scripts = redis as unknown as SessionScripts;
  }

  async create(session: Session): Promise<void> {
    const key = this.keys.session(session.id);
    const index = this.keys.userSessions(session.userId);
    const lifetimeMs = Math.min(session.expiresAtMs, session.idleExpiresAtMs) - session.createdAtMs;
    // The session and its index sit in different slots: two transactions, sent together.
    // One script per key (atomic, one command each), both sent in the same round trip.
    await onStore(() =>
      Promise.all([
        this.scripts.phoneAuthSessionCreate(key, lifetimeMs, ...Object.entries(toHash(session)).flat()),
        this.scripts.phoneAuthSessionIndex(index, session.id, this.indexTtlSeconds),
      ]),
    );
  }

  async find(id: string, nowMs: number): Promise<Session | null> {
    const hash = await onStore(() => this.redis.hgetall(this.keys.session(id)));
    const session = hash.id === id ? fromHash(hash) : null;
    return session && isLive(session, nowMs) ? session : null;
  }

  async rotate(request: RotateRefreshToken): Promise<RotateResult> {
    const [outcome, ...rest] = await onStore(() =>
      this.scripts.phoneAuthSessionRotate(
        this.keys.session(request.sessionId),
        request.generation,
        request.presentedHash,
        request.newHash,
        request.nowMs,
        request.idleTtlSeconds * 1000,
        request.reuseGraceSeconds * 1000,
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

  async revoke(id: string, nowMs: number): Promise<Session | null> {
    const reply = await onStore(() =>
      this.scripts.phoneAuthSessionRevoke(this.keys.session(id)),
    );
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
    return found.filter((session): session is Session => session !== null).sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  async revokeAllForUser(userId: string, nowMs: number): Promise<number> {
    const ids = await onStore(() => this.redis.smembers(this.keys.userSessions(userId)));
    const revoked = await Promise.all(ids.map((id) => this.revoke(id, nowMs)));
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

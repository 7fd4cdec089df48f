import { isLive, Session } from './session.js';
import { RotateRefreshToken, RotateResult, SessionRepository } from './session.repository.js';

interface Entry {
  session: Session;
  spent: Set<string>;
}

/** For one process: the embedded default and fast tests. JavaScript runs each method to its end. */
export class InMemorySessionRepository extends SessionRepository {
  private readonly entries = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();

  async create(session: Session): Promise<void> {
    this.entries.set(session.id, { session: { ...session }, spent: new Set() });
    const ids = this.byUser.get(session.userId) ?? new Set<string>();
    this.byUser.set(session.userId, ids.add(session.id));
  }

  async find(id: string, nowMs: number): Promise<Session | null> {
    const entry = this.live(id, nowMs);
    return entry ? { ...entry.session } : null;
  }

  async rotate(request: RotateRefreshToken): Promise<RotateResult> {
    const { nowMs } = request;
    const entry = this.live(request.sessionId, nowMs);
    if (entry === undefined) return { outcome: 'invalid' };
    const { session, spent } = entry;
    if (session.refreshTokenHash === request.presentedHash) {
      spent.add(request.presentedHash);
      Object.assign(session, {
        previousRefreshTokenHash: request.presentedHash,
        refreshTokenHash: request.newHash,
        rotatedAtMs: nowMs,
        lastUsedAtMs: nowMs,
        idleExpiresAtMs: Math.min(session.expiresAtMs, nowMs + request.idleTtlSeconds * 1000),
      });
      return { outcome: 'rotated', session: { ...session } };
    }
    if (!spent.has(request.presentedHash)) return { outcome: 'invalid' };
    if (
      request.presentedHash === session.previousRefreshTokenHash &&
      nowMs - session.rotatedAtMs < request.reuseGraceSeconds * 1000
    ) {
      return { outcome: 'just_rotated' };
    }
    this.delete(session);
    return { outcome: 'reused', userId: session.userId };
  }

  async revoke(id: string, nowMs: number): Promise<Session | null> {
    const entry = this.live(id, nowMs);
    if (entry === undefined) return null;
    this.delete(entry.session);
    return { ...entry.session };
  }

  async listByUser(userId: string, nowMs: number): Promise<Session[]> {
    return [...(this.byUser.get(userId) ?? [])]
      .map((id) => this.live(id, nowMs)?.session)
      .filter((session): session is Session => session !== undefined)
      .sort((a, b) => a.createdAtMs - b.createdAtMs)
      .map((session) => ({ ...session }));
  }

  async revokeAllForUser(userId: string, nowMs: number): Promise<number> {
    const sessions = await this.listByUser(userId, nowMs);
    for (const session of sessions) this.delete(session);
    this.byUser.delete(userId);
    return sessions.length;
  }

  private live(id: string, nowMs: number): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry && !isLive(entry.session, nowMs)) {
      this.delete(entry.session);
      return undefined;
    }
    return entry;
  }

  private delete(session: Session): void {
    this.entries.delete(session.id);
    this.byUser.get(session.userId)?.delete(session.id);
  }
}

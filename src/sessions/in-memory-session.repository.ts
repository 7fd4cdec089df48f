import { isLive, oldestFirst, Session } from './session.js';
import { RotateRefreshToken, RotateResult, SessionRepository } from './session.repository.js';

/** For one process: the embedded default and fast tests. JavaScript runs each method to its end. */
export class InMemorySessionRepository extends SessionRepository {
  private readonly entries = new Map<string, Session>();
  private readonly byUser = new Map<string, Set<string>>();

  async create(session: Session): Promise<void> {
    this.entries.set(session.id, { ...session });
    const ids = this.byUser.get(session.userId) ?? new Set<string>();
    this.byUser.set(session.userId, ids.add(session.id));
  }

  async find(id: string, nowMs: number): Promise<Session | null> {
    const session = this.live(id, nowMs);
    return session ? { ...session } : null;
  }

  async rotate(request: RotateRefreshToken): Promise<RotateResult> {
    const { nowMs, generation } = request;
    const session = this.live(request.sessionId, nowMs);
    if (session === undefined) return { outcome: 'invalid' };
    const current = session.refreshTokenGeneration;
    if (generation === current) {
      if (session.refreshTokenHash !== request.presentedHash) return { outcome: 'invalid' };
      Object.assign(session, {
        refreshTokenHash: request.newHash,
        refreshTokenGeneration: current + 1,
        rotatedAtMs: nowMs,
        lastUsedAtMs: nowMs,
        idleExpiresAtMs: Math.min(session.expiresAtMs, nowMs + request.idleTtlSeconds * 1000),
      });
      return { outcome: 'rotated', session: { ...session } };
    }
    if (generation > current) return { outcome: 'invalid' };
    if (generation === current - 1 && nowMs - session.rotatedAtMs < request.reuseGraceSeconds * 1000) {
      return { outcome: 'just_rotated' };
    }
    this.delete(session);
    return { outcome: 'reused', userId: session.userId };
  }

  async revoke(id: string, nowMs: number): Promise<Session | null> {
    const session = this.live(id, nowMs);
    if (session === undefined) return null;
    this.delete(session);
    return { ...session };
  }

  async listByUser(userId: string, nowMs: number): Promise<Session[]> {
    return [...(this.byUser.get(userId) ?? [])]
      .map((id) => this.live(id, nowMs))
      .filter((session): session is Session => session !== undefined)
      .sort(oldestFirst)
      .map((session) => ({ ...session }));
  }

  async setPhone(id: string, phone: string, nowMs: number): Promise<boolean> {
    const session = this.live(id, nowMs);
    if (session === undefined) return false;
    session.phone = phone;
    return true;
  }

  async revokeAllForUser(userId: string, nowMs: number): Promise<number> {
    const sessions = await this.listByUser(userId, nowMs);
    for (const session of sessions) this.delete(session);
    this.byUser.delete(userId);
    return sessions.length;
  }

  private live(id: string, nowMs: number): Session | undefined {
    const session = this.entries.get(id);
    if (session && !isLive(session, nowMs)) {
      this.delete(session);
      return undefined;
    }
    return session;
  }

  private delete(session: Session): void {
    this.entries.delete(session.id);
    this.byUser.get(session.userId)?.delete(session.id);
  }
}

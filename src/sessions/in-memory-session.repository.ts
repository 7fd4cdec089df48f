import { draftWith } from '../events/event-script.js';
import type { EventLog } from '../events/event-log.js';
import type { SessionRevokedReason } from '../events/event-types.js';
import { isLive, oldestFirst, Session } from './session.js';
import { RotateRefreshToken, RotateResult, sessionCreatedData, SessionRepository } from './session.repository.js';

/** For one process: the embedded default and fast tests. JavaScript runs each method to its end. */
export class InMemorySessionRepository extends SessionRepository {
  private readonly entries = new Map<string, Session>();
  private readonly byUser = new Map<string, Set<string>>();

  /** The in-memory log records synchronously: each event lands inside the change it reports. */
  constructor(private readonly events: EventLog) {
    super();
  }

  async create(session: Session): Promise<void> {
    this.entries.set(session.id, { ...session });
    const ids = this.byUser.get(session.userId) ?? new Set<string>();
    this.byUser.set(session.userId, ids.add(session.id));
    void this.events.append('session.created', this.events.draft(sessionCreatedData(session)));
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
    const draft = this.events.draft({ sessionId: session.id });
    void this.events.append('session.refresh_reused', draftWith(draft, { userId: session.userId }));
    void this.events.append('session.revoked', draftWith(draft, { userId: session.userId, reason: 'reuse' }, 2));
    return { outcome: 'reused', userId: session.userId };
  }

  async revoke(id: string, nowMs: number, reason: SessionRevokedReason): Promise<Session | null> {
    const session = this.live(id, nowMs);
    if (session === undefined) return null;
    this.end(session, reason);
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

  async revokeAllForUser(userId: string, nowMs: number, reason: SessionRevokedReason): Promise<number> {
    const sessions = await this.listByUser(userId, nowMs);
    for (const session of sessions) this.end(session, reason);
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

  /** Deletes a live session and records its end. */
  private end(session: Session, reason: SessionRevokedReason): void {
    this.delete(session);
    void this.events.append('session.revoked', this.events.draft({ sessionId: session.id, reason, userId: session.userId }));
  }

  private delete(session: Session): void {
    this.entries.delete(session.id);
    this.byUser.get(session.userId)?.delete(session.id);
  }
}

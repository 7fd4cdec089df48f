import { Session } from './session.js';

export interface RotateRefreshToken {
  sessionId: string;
  /** Hash of the secret the client presented. */
  presentedHash: string;
  newHash: string;
  nowMs: number;
  idleTtlSeconds: number;
  reuseGraceSeconds: number;
}

export type RotateResult =
  /** The presented token was current: it is spent now and `newHash` is current. */
  | { outcome: 'rotated'; session: Session }
  /** A spent token came back: the session is revoked (RFC 9700 reuse detection). */
  | { outcome: 'reused'; userId: string }
  /** The token rotated within the grace window (a client refreshing twice at once): refused, nothing revoked. */
  | { outcome: 'just_rotated' }
  /** No live session, or a secret this session never issued. */
  | { outcome: 'invalid' };

/**
 * Sessions and their refresh-token family. Every method is atomic on one session; a
 * session's keys share one hash slot. A user's session index sits beside them (its own slot),
 * maintained best effort and pruned when read.
 */
export abstract class SessionRepository {
  abstract create(session: Session): Promise<void>;

  /** The session if it is live (before both its absolute and its idle expiry), else null. */
  abstract find(id: string, nowMs: number): Promise<Session | null>;

  /**
   * Compare-and-swap of the refresh token. Of any number of concurrent calls presenting the
   * same token, at most one is `rotated`. A presented hash that was current once (any
   * generation) is `reused`, and the session is deleted, except the one rotated away less than
   * `reuseGraceSeconds` ago, which is `just_rotated`.
   */
  abstract rotate(request: RotateRefreshToken): Promise<RotateResult>;

  /** Deletes the session; returns what it was, or null if there was no live one. */
  abstract revoke(id: string, nowMs: number): Promise<Session | null>;

  /** The user's live sessions, oldest first. */
  abstract listByUser(userId: string, nowMs: number): Promise<Session[]>;

  /** Deletes every session of the user; returns how many were live. */
  abstract revokeAllForUser(userId: string, nowMs: number): Promise<number>;
}

import type { EventData, SessionRevokedReason } from '../events/event-types.js';
import { AMR_OF_CHANNEL } from './access-token.service.js';
import { Session } from './session.js';

/** The payload of `session.created`. */
export function sessionCreatedData(session: Session): EventData {
  const { id: sessionId, userId, clientId } = session;
  return { sessionId, userId, ...(clientId === undefined ? {} : { clientId }), amr: [AMR_OF_CHANNEL[session.channel]] };
}

export interface RotateRefreshToken {
  sessionId: string;
  /**
   * The presented token's generation. The caller has checked the token's MAC, so the generation
   * is one this service issued for this session: the repository trusts it.
   */
  generation: number;
  /** Hash of the secret the client presented. */
  presentedHash: string;
  /** Hash of the secret of the token of generation + 1 that replaces it. */
  newHash: string;
  nowMs: number;
  idleTtlSeconds: number;
  reuseGraceSeconds: number;
}

export type RotateResult =
  /** The presented token was current: it is spent now, `newHash` is current, one generation on. */
  | { outcome: 'rotated'; session: Session }
  /** A spent token came back: the session is revoked (RFC 9700 reuse detection). */
  | { outcome: 'reused'; userId: string }
  /** The token rotated within the grace window (a client refreshing twice at once): refused, nothing revoked. */
  | { outcome: 'just_rotated' }
  /** No live session, a generation it has not reached, or a current generation with another secret. */
  | { outcome: 'invalid' };

/**
 * Sessions and their refresh-token family. Every change records its event in the same atomic step
 * (`session.created`, `session.revoked` with its reason, `session.refresh_reused`). Every method is atomic on one session; a
 * session's keys share one hash slot. A user's session index sits beside them (its own slot),
 * maintained best effort and pruned when read.
 */
export abstract class SessionRepository {
  abstract create(session: Session): Promise<void>;

  /** The session if it is live (before both its absolute and its idle expiry), else null. */
  abstract find(id: string, nowMs: number): Promise<Session | null>;

  /**
   * Compare-and-swap of the refresh token, in constant space (no spent hashes are kept). The
   * current generation with the current hash is `rotated` (of any number of concurrent calls
   * presenting the same token, at most one). An older generation is `reused`, and the session is
   * deleted, except the generation rotated away less than `reuseGraceSeconds` ago (exactly
   * current - 1), which is `just_rotated`. The current generation with another hash, or a later
   * one, is `invalid` and changes nothing.
   */
  abstract rotate(request: RotateRefreshToken): Promise<RotateResult>;

  /** Deletes the session; returns what it was, or null if there was no live one (then nothing is recorded). */
  abstract revoke(id: string, nowMs: number, reason: SessionRevokedReason): Promise<Session | null>;

  /** The user's live sessions, oldest first (by id among those created in the same millisecond). */
  abstract listByUser(userId: string, nowMs: number): Promise<Session[]>;

  /** Sets the phone of a live session (its user changed number): its next tokens carry it. False when there is no live one. */
  abstract setPhone(id: string, phone: string, nowMs: number): Promise<boolean>;

  /** Deletes every session of the user (one `session.revoked` each live one); returns how many were live. */
  abstract revokeAllForUser(userId: string, nowMs: number, reason: SessionRevokedReason): Promise<number>;
}

import type { Channel } from '../common/channel.js';

export interface Session {
  id: string;
  userId: string;
  /** E.164. */
  phone: string;
  /** SHA-256 of the current refresh token's secret, base64url; the token itself is never stored. */
  refreshTokenHash: string;
  /**
   * The current token's generation (the rotations so far; 0 at login). Tokens carry theirs under
   * a MAC, so one of an older generation is known to be spent without any list of spent hashes.
   */
  refreshTokenGeneration: number;
  /** The time of the last rotation (0 before the first one): the start of the reuse grace. */
  rotatedAtMs: number;
  /** The channel whose code opened the session (the tokens' `amr`); sessions stored before channels were SMS. */
  channel: Channel;
  clientId?: string;
  userAgent?: string;
  ip?: string;
  /** Login time: the auth_time of every access token of the session. */
  createdAtMs: number;
  lastUsedAtMs: number;
  /** Absolute end of the session. */
  expiresAtMs: number;
  /** End by inactivity; pushed forward by each refresh, never past expiresAtMs. */
  idleExpiresAtMs: number;
}

export function isLive(session: Session, nowMs: number): boolean {
  return nowMs < session.expiresAtMs && nowMs < session.idleExpiresAtMs;
}

/** Oldest first; sessions created in the same millisecond by id, so every adapter lists alike. */
export function oldestFirst(a: Session, b: Session): number {
  return a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

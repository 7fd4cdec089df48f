export interface Session {
  id: string;
  userId: string;
  /** E.164. */
  phone: string;
  /** SHA-256 of the refresh token's secret part, base64url; the token itself is never stored. */
  refreshTokenHash: string;
  clientId?: string;
  userAgent?: string;
  ip?: string;
  createdAtMs: number;
  lastUsedAtMs: number;
  /** Absolute end of the session. */
  expiresAtMs: number;
}

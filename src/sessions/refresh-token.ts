import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { fillRandom } from '../common/random/random-pool.js';
import { Injectable } from '@nestjs/common';
import { KeyDerivation } from '../common/secrets/key-derivation.js';

const GENERATION_BYTES = 4;
const RANDOM_BYTES = 32;
const MAC_BYTES = 16;
const SECRET_BYTES = GENERATION_BYTES + RANDOM_BYTES + MAC_BYTES;
/** The largest generation a token can carry (uint32). */
export const MAX_GENERATION = 0xffff_ffff;

/** `<sessionId>.<secret>`, the secret 52 bytes in base64url (70 characters, canonical). */
const REFRESH_TOKEN = /^(ses_[A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{70})$/;

export interface PresentedRefreshToken {
  sessionId: string;
  /** Rotations of the session before this token was issued: 0 for the login's token. */
  generation: number;
  /** The part after the dot, as presented. */
  secret: string;
}

/**
 * Refresh tokens `<sessionId>.<secret>`, secret = base64url(generation (uint32 BE) ‖ 32 random
 * bytes ‖ HMAC-SHA256(key, sessionId ‖ "." ‖ generation ‖ random) truncated to 16 bytes).
 *
 * The MAC makes the generation trustworthy without storing anything per token: a token whose MAC
 * checks out was made by this service for that session and generation, and the session stores
 * only the hash of its current token and the current generation. A token of an older
 * generation with a valid MAC is therefore a spent one (reuse detection needs no list of spent
 * hashes), while a forgery (no key) is refused before the store is asked and can revoke nothing.
 *
 * The key is derived from OTP_HMAC_SECRET (domain-separated, as the code digests and phone tags
 * are), so every instance sharing a store shares it and no new setting is needed.
 */
@Injectable()
export class RefreshTokens {
  private readonly key: Buffer;

  constructor(keys: KeyDerivation) {
    this.key = keys.subKey('refreshTokenMac');
  }

  /** A new secret for the session's token of this generation: 256 fresh random bits and the MAC. */
  mint(sessionId: string, generation: number): string {
    if (!Number.isInteger(generation) || generation < 0 || generation > MAX_GENERATION) {
      throw new RangeError(`refresh token generation out of range: ${generation}`);
    }
    const raw = Buffer.alloc(SECRET_BYTES);
    raw.writeUInt32BE(generation, 0);
    fillRandom(raw, GENERATION_BYTES, RANDOM_BYTES);
    this.mac(sessionId, raw.subarray(0, GENERATION_BYTES + RANDOM_BYTES)).copy(raw, GENERATION_BYTES + RANDOM_BYTES);
    return raw.toString('base64url');
  }

  /** The token's parts if it is well formed and its MAC checks out; null otherwise. */
  parse(token: string): PresentedRefreshToken | null {
    const match = REFRESH_TOKEN.exec(token);
    if (match === null) return null;
    const [, sessionId, secret] = match;
    const raw = Buffer.from(secret, 'base64url');
    // Only the canonical spelling: one token, one string, one hash.
    if (raw.length !== SECRET_BYTES || raw.toString('base64url') !== secret) return null;
    const body = raw.subarray(0, GENERATION_BYTES + RANDOM_BYTES);
    if (!timingSafeEqual(raw.subarray(GENERATION_BYTES + RANDOM_BYTES), this.mac(sessionId, body))) return null;
    return { sessionId, generation: raw.readUInt32BE(0), secret };
  }

  private mac(sessionId: string, body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(`${sessionId}.`).update(body).digest().subarray(0, MAC_BYTES);
  }
}

/** The stored form of a refresh secret: it carries 256 random bits, so a plain SHA-256 is safe. */
export function hashRefreshSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

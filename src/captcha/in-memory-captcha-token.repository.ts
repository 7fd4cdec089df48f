import { CaptchaTokenRepository } from './captcha-token.repository.js';

export class InMemoryCaptchaTokenRepository extends CaptchaTokenRepository {
  private readonly expiresAtMs = new Map<string, number>();

  async claim(tokenHash: string, ttlMs: number, nowMs: number): Promise<boolean> {
    for (const [hash, expiresAtMs] of this.expiresAtMs) if (expiresAtMs <= nowMs) this.expiresAtMs.delete(hash);
    if (this.expiresAtMs.has(tokenHash)) return false;
    this.expiresAtMs.set(tokenHash, nowMs + ttlMs);
    return true;
  }
}

/**
 * Remembers CAPTCHA tokens already used, so that one token opens one request whatever the
 * provider says about a second use. `claim` is atomic: of concurrent claims of one token
 * hash, exactly one is `true`; later claims are `false` until `ttlMs` has passed.
 */
export abstract class CaptchaTokenRepository {
  /** `tokenHash` is the SHA-256 of the token (hex); the token itself is never stored. */
  abstract claim(tokenHash: string, ttlMs: number, nowMs: number): Promise<boolean>;
}

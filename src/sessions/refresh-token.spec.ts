import { hashRefreshSecret, MAX_GENERATION, RefreshTokens } from './refresh-token.js';
import { KeyDerivation } from '../common/secrets/key-derivation.js';

const SECRET = 'unit-secret-unit-secret-unit-secret!';
const SESSION = `ses_${'a'.repeat(22)}`;
const OTHER_SESSION = `ses_${'b'.repeat(22)}`;

describe('RefreshTokens', () => {
  const tokens = new RefreshTokens(KeyDerivation.of(SECRET));
  const token = (generation: number, sessionId = SESSION) => `${sessionId}.${tokens.mint(sessionId, generation)}`;
  /** The secret's bytes: generation (4), random (32), MAC (16). */
  const bytesOf = (value: string) => Buffer.from(value.split('.')[1], 'base64url');
  const withBytes = (value: string, bytes: Buffer) => `${value.split('.')[0]}.${bytes.toString('base64url')}`;

  it.each([0, 1, 41, 65_536, MAX_GENERATION])('reads back generation %i with the session id and the secret', (generation) => {
    const minted = token(generation);
    expect(minted).toMatch(/^ses_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{70}$/);
    expect(tokens.parse(minted)).toEqual({ sessionId: SESSION, generation, secret: minted.split('.')[1] });
  });

  it('puts 256 fresh random bits in every token, so two tokens of one generation differ', () => {
    const seen = new Set(Array.from({ length: 200 }, () => bytesOf(token(7)).subarray(4, 36).toString('hex')));
    expect(seen.size).toBe(200);
    expect(bytesOf(token(7))).toHaveLength(52);
  });

  it('refuses a token with any single bit flipped: generation, random part or MAC', () => {
    const minted = token(5);
    const original = bytesOf(minted);
    for (let bit = 0; bit < original.length * 8; bit++) {
      const tampered = Buffer.from(original);
      tampered[bit >> 3] ^= 1 << (bit & 7);
      expect(tokens.parse(withBytes(minted, tampered))).toBeNull();
    }
  });

  it('refuses a lower generation written over a real token (a forgery cannot claim to be a spent token)', () => {
    const minted = token(9);
    for (const generation of [0, 8]) {
      const tampered = Buffer.from(bytesOf(minted));
      tampered.writeUInt32BE(generation, 0);
      expect(tokens.parse(withBytes(minted, tampered))).toBeNull();
    }
  });

  it('binds the token to its session, and to the key', () => {
    const minted = token(3);
    expect(tokens.parse(`${OTHER_SESSION}.${minted.split('.')[1]}`)).toBeNull();
    expect(new RefreshTokens(KeyDerivation.of('another-secret-another-secret-another!')).parse(minted)).toBeNull();
    expect(new RefreshTokens(KeyDerivation.of(SECRET)).parse(minted)).not.toBeNull();
  });

  it('refuses the old format, other lengths and a non-canonical spelling of a real token', () => {
    const minted = token(2);
    const secret = minted.split('.')[1];
    // 52 bytes leave 2 unused bits in the last character: set one, the bytes stay the same.
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const nonCanonical = `${SESSION}.${secret.slice(0, -1)}${last[last.indexOf(secret.at(-1)!) ^ 1]}`;
    expect(Buffer.from(nonCanonical.split('.')[1], 'base64url').equals(bytesOf(minted))).toBe(true);
    for (const refused of [
      nonCanonical,
      `${SESSION}.${'A'.repeat(43)}`,
      `${SESSION}.${secret}A`,
      `${SESSION}.${secret.slice(1)}`,
      `${SESSION}.${secret}.x`,
      `ses_x.${secret}`,
      secret,
      '',
    ]) {
      expect(tokens.parse(refused)).toBeNull();
    }
  });

  it('mints only uint32 generations', () => {
    expect(() => tokens.mint(SESSION, MAX_GENERATION + 1)).toThrow(RangeError);
    expect(() => tokens.mint(SESSION, -1)).toThrow(RangeError);
    expect(() => tokens.mint(SESSION, 1.5)).toThrow(RangeError);
  });

  it('stores a secret as its SHA-256, base64url', () => {
    expect(hashRefreshSecret('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });
});

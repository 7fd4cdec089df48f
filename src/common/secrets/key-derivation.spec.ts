import { OtpCodeHasher } from '../../otp/otp-code.hasher.js';
import { RefreshTokens } from '../../sessions/refresh-token.js';
import { PhoneTagger } from '../phone/phone-tagger.js';
import { KeyDerivation, SUB_KEY_LABELS, SubKeyUse } from './key-derivation.js';

// Values made by the service before KeyDerivation existed (each module derived its key itself).
// They pin the derivation: a change would orphan stored phone tags, code digests, the
// phone → user index and every live refresh token.
const ROOT = 'compat-secret-of-at-least-32-characters!';
const TAG_OF_PHONE = 'Zx0Y49yfOOG7xhp7';
const DIGEST_OF_CODE = 'lvy_Fi9InENEINS7H_vBQxUa5JXq0o0SUjsE1jVPD1c';
const REFRESH_TOKEN = 'ses_AAAAAAAAAAAAAAAAAAAAAA.AAAAAwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHfQ1wcuMi5cOlT90zH4vv-Q';

describe(KeyDerivation.name, () => {
  const keys = KeyDerivation.of(ROOT);

  it('gives each use its own sub-key, none equal to another or to the root', () => {
    const uses = Object.keys(SUB_KEY_LABELS) as SubKeyUse[];
    const derived = uses.map((use) => keys.subKey(use).toString('hex'));
    expect(new Set(derived).size).toBe(uses.length);
    expect(derived).not.toContain(Buffer.from(ROOT).toString('hex'));
  });

  it('keeps the phone tags made before it', () => {
    expect(new PhoneTagger(keys).tag('+919876543210')).toBe(TAG_OF_PHONE);
  });

  it('keeps the code digests made before it', () => {
    expect(new OtpCodeHasher(keys).hash('TAG', '123456')).toBe(DIGEST_OF_CODE);
  });

  it('accepts the refresh tokens minted before it', () => {
    expect(new RefreshTokens(keys).parse(REFRESH_TOKEN)).toMatchObject({ sessionId: 'ses_AAAAAAAAAAAAAAAAAAAAAA', generation: 3 });
    expect(new RefreshTokens(KeyDerivation.of(`${ROOT}?`)).parse(REFRESH_TOKEN)).toBeNull();
  });
});

import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { KeyDerivation } from '../common/secrets/key-derivation.js';

/**
 * The only form in which a code is stored: HMAC-SHA256 under OTP_HMAC_SECRET, bound to the
 * phone (through its tag), so a digest is worthless for any other phone or without the secret.
 */
@Injectable()
export class OtpCodeHasher {
  private readonly key: Buffer;

  constructor(keys: KeyDerivation) {
    this.key = keys.subKey('otpCode');
  }

  hash(phoneTag: string, code: string): string {
    return createHmac('sha256', this.key).update(`${phoneTag}:${code}`).digest('base64url');
  }
}

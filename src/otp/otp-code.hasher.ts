import { createHmac } from 'node:crypto';

/**
 * The only form in which a code is stored: HMAC-SHA256 under OTP_HMAC_SECRET, bound to the
 * phone (through its tag), so a digest is worthless for any other phone or without the secret.
 */
export class OtpCodeHasher {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('phone-auth/otp-code').digest();
  }

  hash(phoneTag: string, code: string): string {
    return createHmac('sha256', this.key).update(`${phoneTag}:${code}`).digest('base64url');
  }
}

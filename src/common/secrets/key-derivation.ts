import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { secretsConfig } from './secrets.config.js';

/**
 * Every use of OTP_HMAC_SECRET, each with its own label. A sub-key is HMAC-SHA256(root,
 * `phone-auth/<label>`), so no two uses share a key and none uses the root itself. The labels are
 * the ones the service has always used: changing one would orphan stored data (phone tags, code
 * digests, the phone → user index, live refresh tokens).
 */
export const SUB_KEY_LABELS = {
  /** Phone tags: Redis Cluster hash tags and the phone → user index. */
  phoneTag: 'phone-auth/phone-tag',
  /** Digests of one-time codes. */
  otpCode: 'phone-auth/otp-code',
  /** MACs of refresh-token generations. */
  refreshTokenMac: 'phone-auth/refresh-token-mac',
} as const;

export type SubKeyUse = keyof typeof SUB_KEY_LABELS;

@Injectable()
export class KeyDerivation {
  private readonly root: string;

  constructor(@Inject(secretsConfig.KEY) config: Pick<ConfigType<typeof secretsConfig>, 'rootSecret'>) {
    this.root = config.rootSecret;
  }

  /** A sub-key for tests and scripts that hold the root secret itself. */
  static of(rootSecret: string): KeyDerivation {
    return new KeyDerivation({ rootSecret });
  }

  subKey(use: SubKeyUse): Buffer {
    return createHmac('sha256', this.root).update(SUB_KEY_LABELS[use]).digest();
  }
}

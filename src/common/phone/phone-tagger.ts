import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { KeyDerivation } from '../secrets/key-derivation.js';

/**
 * A keyed digest of a phone number: stable for one secret, useless without it. It names the
 * Redis Cluster hash tag of a phone's keys, so no key holds a phone number and every atomic
 * step on one phone touches one slot.
 */
@Injectable()
export class PhoneTagger {
  static readonly TAG_LENGTH = 16;
  private readonly key: Buffer;

  constructor(keys: KeyDerivation) {
    // A sub-key, so that the tag never equals a code digest made with the same secret.
    this.key = keys.subKey('phoneTag');
  }

  tag(e164: string): string {
    return createHmac('sha256', this.key).update(e164).digest('base64url').slice(0, PhoneTagger.TAG_LENGTH);
  }
}

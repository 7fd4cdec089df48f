import { randomBase64Url } from '../common/random/random-pool.js';
import { PhoneTagger } from '../common/phone/phone-tagger.js';

/**
 * A verification id is the phone's tag followed by 128 random bits (base64url), so the store
 * finds a verification's keys, and their Cluster slot, from the id alone.
 */
export const VERIFICATION_ID_PATTERN = /^[A-Za-z0-9_-]{38}$/;

export function newVerificationId(phoneTag: string): string {
  return `${phoneTag}${randomBase64Url(16)}`;
}

export function phoneTagOfVerificationId(id: string): string {
  return id.slice(0, PhoneTagger.TAG_LENGTH);
}

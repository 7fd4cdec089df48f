import { Injectable } from '@nestjs/common';
import { PhoneTagger } from '../common/phone/phone-tagger.js';

/**
 * Every Redis key of the service is built here. Keys of one phone share the hash tag
 * `{<phone tag>}`, keys of one session `{<session id>}`, so each Lua script touches one slot.
 * REDIS_KEY_PREFIX is added by the client (ioredis keyPrefix), never here.
 */
@Injectable()
export class RedisKeys {
  constructor(private readonly phones: PhoneTagger) {}

  phoneTag(e164: string): string {
    return this.phones.tag(e164);
  }

  /** The current verification of a phone; `tag` comes from phoneTag() or a verification id. */
  otpVerification(tag: string): string {
    return `otp:{${tag}}:verification`;
  }

  /** Wrong codes for a phone across verifications, in a sliding window. */
  otpFailures(tag: string): string {
    return `otp:{${tag}}:failures`;
  }

  /** One idempotency key of one client; `keyHash` is already a digest. */
  idempotency(keyHash: string): string {
    return `idempotency:{${keyHash}}`;
  }

  /**
   * An operator's ban of the phone's user, read by the start and check scripts (same slot): its
   * end in ms, or 0 for none. It expires by itself at its end.
   */
  otpBan(tag: string): string {
    return `otp:{${tag}}:ban`;
  }

  /** Sends to a phone per window (an hour, a day), whatever the cooldown. */
  otpSends(tag: string): string {
    return `otp:{${tag}}:sends`;
  }

  /** A rate-limit window; `key` is the throttler's own digest of route, rule and tracker. */
  throttle(key: string): string {
    return `throttle:{${key}}`;
  }

  /** Sends and verified sends of numbers sharing a prefix, and the prefix's block. */
  fraudPrefix(prefix: string): string {
    return `fraud:prefix:{${this.phones.tag(`prefix:${prefix}`)}}`;
  }

  /** The list of blocked prefixes: a sorted set scored by each block's end (one slot for all). */
  fraudBlockIndex(): string {
    return 'fraud:{blocks}:index';
  }

  /** The blocks of fraudBlockIndex(), as JSON by prefix (same slot). */
  fraudBlockDetails(): string {
    return 'fraud:{blocks}:details';
  }

  /** Sends to one country in one hour. */
  fraudCountryHour(country: string, hour: number): string {
    return `fraud:country:{${country}}:${hour}`;
  }

  /** A CAPTCHA token already used; `tokenHash` is its SHA-256. */
  captchaToken(tokenHash: string): string {
    return `captcha:token:{${tokenHash}}`;
  }

  outbox(e164: string): string {
    return `outbox:{${this.phoneTag(e164)}}`;
  }

  /** The phone's user id (the phone index). */
  userIdByPhone(e164: string): string {
    return `user:{${this.phoneTag(e164)}}:id`;
  }

  /** A user's record (phone, logins, ban; a tombstone once erased), in the slot of the user's session index. */
  userRecord(userId: string): string {
    return `user:{${userId}}:record`;
  }

  session(sessionId: string): string {
    return `session:{${sessionId}}`;
  }

  /** The ids of a user's sessions (an index; the sessions themselves are the truth). */
  userSessions(userId: string): string {
    return `user-sessions:{${userId}}`;
  }
}

import { Injectable } from '@nestjs/common';
import { PhoneTagger } from '../common/phone/phone-tagger.js';
import { EVENT_SHARD_TAGS, eventShardTag } from './event-shards.js';

/**
 * Every Redis key of the service is built here. REDIS_KEY_PREFIX is added by the client (ioredis
 * keyPrefix), never here.
 *
 * Keys of one phone, one session or one user carry that entity's tag, and sit under the hash tag
 * of its **event shard**: `otp:{s3.h}:<phone tag>:verification`. A script that changes an
 * entity appends its event to the shard's stream (`events:{s3.h}`) in the same atomic step, so
 * the stream must share the script's slot; with one stream per shard, 16 streams hold every
 * event and the dispatchers read 16 streams, not one per phone. The cost: the service's keys
 * use 16 slots, spread evenly over the slot space (a Cluster spreads them over up to 16 masters).
 */
@Injectable()
export class RedisKeys {
  constructor(private readonly phones: PhoneTagger) {}

  phoneTag(e164: string): string {
    return this.phones.tag(e164);
  }

  /** The current verification of a phone; `tag` comes from phoneTag() or a verification id. */
  otpVerification(tag: string): string {
    return `otp:{${eventShardTag(tag)}}:${tag}:verification`;
  }

  /** Wrong codes for a phone across verifications, in a sliding window. */
  otpFailures(tag: string): string {
    return `otp:{${eventShardTag(tag)}}:${tag}:failures`;
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
    return `otp:{${eventShardTag(tag)}}:${tag}:ban`;
  }

  /** Sends to a phone per window (an hour, a day), whatever the cooldown. */
  otpSends(tag: string): string {
    return `otp:{${eventShardTag(tag)}}:${tag}:sends`;
  }

  /** A rate-limit window; `key` is the throttler's own digest of route, rule and tracker. */
  throttle(key: string): string {
    return `throttle:{${key}}`;
  }

  /** Sends and verified sends of numbers sharing a prefix, and the prefix's block. */
  fraudPrefix(prefix: string): string {
    const tag = this.fraudPrefixTag(prefix);
    return `fraud:prefix:{${eventShardTag(tag)}}:${tag}`;
  }

  /** The entity tag of a number prefix (its key's, and its events' shard). */
  fraudPrefixTag(prefix: string): string {
    return this.phones.tag(`prefix:${prefix}`);
  }

  /** The list of blocked prefixes: a sorted set scored by each block's end (one slot for all). */
  fraudBlockIndex(): string {
    return `fraud:{${EVENT_SHARD_TAGS[0]}}:blocks:index`;
  }

  /** The blocks of fraudBlockIndex(), as JSON by prefix (same slot). */
  fraudBlockDetails(): string {
    return `fraud:{${EVENT_SHARD_TAGS[0]}}:blocks:details`;
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
    const tag = this.phoneTag(e164);
    return `outbox:{${eventShardTag(tag)}}:${tag}`;
  }

  /**
   * A delivery index: the verification a provider's message belongs to. `digest` is a hash of
   * the provider's name and message id (all a delivery receipt knows), so the key sits in the
   * digest's shard, not the phone's: the index and the verification take two atomic steps.
   */
  deliveryIndex(digest: string): string {
    return `delivery:{${eventShardTag(digest)}}:${digest}`;
  }

  /** The phone's user id (the phone index). */
  userIdByPhone(e164: string): string {
    const tag = this.phoneTag(e164);
    return `user:{${eventShardTag(tag)}}:${tag}:id`;
  }

  /** A user's record (phone, logins, ban; a tombstone once erased), in the slot of the user's session index. */
  userRecord(userId: string): string {
    return `user:{${eventShardTag(userId)}}:${userId}:record`;
  }

  session(sessionId: string): string {
    return `session:{${eventShardTag(sessionId)}}:${sessionId}`;
  }

  /** The ids of a user's sessions (an index; the sessions themselves are the truth). */
  userSessions(userId: string): string {
    return `user-sessions:{${eventShardTag(userId)}}:${userId}`;
  }

  /**
   * The event stream of the shard `shardTag` (one of EVENT_SHARD_TAGS): the events of every
   * entity of that shard, appended by the scripts that change them.
   */
  eventStream(shardTag: string): string {
    return `events:{${shardTag}}:stream`;
  }

  /**
   * The retry schedule of the shard's failed webhook deliveries: a sorted set scored by due time
   * (a leased retry by its lease's end), one member per subscriber and event.
   */
  eventRetries(shardTag: string): string {
    return `events:{${shardTag}}:retries`;
  }

  /** Each scheduled retry's event and attempts, as JSON by member of eventRetries() (same slot). */
  eventRetryDetails(shardTag: string): string {
    return `events:{${shardTag}}:retry-details`;
  }

  /** The shard's dead letters: deliveries given up after the retry window, a stream (same slot). */
  eventDeadLetters(shardTag: string): string {
    return `events:{${shardTag}}:dead-letters`;
  }

  /** The shard tag of an entity's tag (phone tag, session id, user id): the slot its keys and events share. */
  eventShard(tag: string): string {
    return eventShardTag(tag);
  }

  /** The stream of the shard of an entity's tag: where the scripts that change the entity append its events. */
  entityEvents(tag: string): string {
    return this.eventStream(eventShardTag(tag));
  }
}

import { createHash } from 'node:crypto';
import type { Channel } from '../common/channel.js';
import { EventLog } from '../events/event-log.js';
import type { RedisClient } from '../redis/redis.constants.js';
import { onStore } from '../redis/store-unavailable.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { RedisScripts } from '../redis/redis-scripts.js';
import { ABANDON } from './scripts/abandon.script.js';
import { ABANDON_UNSENT } from './scripts/abandon-unsent.script.js';
import { CANCEL } from './scripts/cancel.script.js';
import { CHECK_CODE } from './scripts/check-code.script.js';
import { RECORD_DISPATCH } from './scripts/record-dispatch.script.js';
import { RECORD_DELIVERY } from './scripts/record-delivery.script.js';
import { CHARGE_CHANNEL } from './scripts/charge-channel.script.js';
import { SETTLE_ATTEMPT } from './scripts/settle-attempt.script.js';
import { START_VERIFICATION } from './scripts/start-verification.script.js';
import { DeliveryStatus, LOGIN_SCOPE, Verification } from './verification.js';
import { phoneTagOfVerificationId } from './verification-id.js';
import {
  AbandonUnsent,
  ChargeChannel,
  ChargeResult,
  CheckCode,
  CheckResult,
  Dispatched,
  IndexDelivery,
  PhoneBan,
  ProviderMessage,
  RecordDelivery,
  RecordDeliveryResult,
  SettleAttempt,
  SettleResult,
  StartResult,
  StartVerification,
  VerificationRepository,
} from './verification.repository.js';

// Each script (scripts/*.script.ts) is one atomic step on one hash slot: the phone's keys share
// its tag. Deadlines are compared with the caller's clock, so the adapter behaves as the in-memory
// one does; key lifetimes are relative (PEXPIRE), so they never depend on the Redis server's clock.
type Reply = (string | number)[];

export class RedisVerificationRepository extends VerificationRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly scripts: RedisScripts,
    private readonly keys: RedisKeys,
    private readonly events: EventLog,
  ) {
    super();
    scripts.register(START_VERIFICATION, CHECK_CODE, SETTLE_ATTEMPT, RECORD_DISPATCH, ABANDON, ABANDON_UNSENT, CANCEL, CHARGE_CHANNEL);
    scripts.register(RECORD_DELIVERY);
  }

  async start(request: StartVerification): Promise<StartResult> {
    // The new id starts with the phone's tag: no second HMAC.
    const tag = phoneTagOfVerificationId(request.newId);
    const [outcome, ...rest] = await onStore(() =>
      this.scripts.run(
        START_VERIFICATION,
        {
          verification: this.keys.otpVerification(tag),
          failures: this.keys.otpFailures(tag),
          sends: this.keys.otpSends(tag),
          ban: this.keys.otpBan(tag),
        },
        {
          id: request.newId,
          phone: request.phone,
          codeHash: request.codeHash,
          channel: request.channel,
          provider: request.provider,
          nowMs: request.nowMs,
          ttlMs: request.ttlSeconds * 1000,
          cooldownMs: request.resendCooldownSeconds * 1000,
          maxAttempts: request.maxAttempts,
          phoneMaxFailures: request.phoneMaxFailures,
          purpose: (request.scope ?? LOGIN_SCOPE).purpose,
          sid: (request.scope ?? LOGIN_SCOPE).sessionId,
          context: request.scope?.context ?? '',
        },
        request.sendLimits.map((limit) => ({ max: limit.max, windowMs: limit.windowSeconds * 1000, channel: limit.channel ?? '' })),
      ),
    );
    switch (outcome) {
      case 'created':
      case 'resent':
        return { outcome, verification: fromHash(rest) };
      case 'resend_too_soon':
      case 'send_limited':
      case 'phone_locked':
        return { outcome, retryAfterMs: Number(rest[0]) };
      case 'banned':
        return { outcome };
      default:
        throw new Error(`unexpected reply from the start script: ${String(outcome)}`);
    }
  }

  async check(request: CheckCode): Promise<CheckResult> {
    const tag = 'id' in request.target ? phoneTagOfVerificationId(request.target.id) : this.keys.phoneTag(request.target.phone);
    const [outcome, ...rest] = await onStore(() =>
      this.scripts.run(
        CHECK_CODE,
        { verification: this.keys.otpVerification(tag), failures: this.keys.otpFailures(tag), ban: this.keys.otpBan(tag), events: this.keys.entityEvents(tag) },
        {
          id: 'id' in request.target ? request.target.id : '',
          codeHash: request.codeHash,
          nowMs: request.nowMs,
          maxAttempts: request.maxAttempts,
          phoneMaxFailures: request.phoneMaxFailures,
          failureWindowMs: request.phoneFailureWindowSeconds * 1000,
          purpose: (request.scope ?? LOGIN_SCOPE).purpose,
          sid: (request.scope ?? LOGIN_SCOPE).sessionId,
          // The script fills in the verification's fields (the target may be the phone alone).
          ...this.events.eventArgs(this.events.draft({})),
        },
      ),
    );
    switch (outcome) {
      case 'approved':
      case 'reserved':
        return { outcome, verification: fromHash(rest) };
      case 'wrong_code':
        return { outcome, attempts: Number(rest[0]), phone: String(rest[1]) };
      case 'phone_locked':
      case 'max_attempts':
        return { outcome, retryAfterMs: Number(rest[0]) };
      case 'not_found':
      case 'expired':
      case 'banned':
        return { outcome };
      default:
        throw new Error(`unexpected reply from the check script: ${String(outcome)}`);
    }
  }

  async banPhone({ phone, untilMs, nowMs }: PhoneBan): Promise<void> {
    const key = this.keys.otpBan(this.keys.phoneTag(phone));
    // One command each; a ban with an end expires by itself then (relative, as every lifetime here).
    if (untilMs === null) await onStore(() => this.redis.set(key, '0'));
    else if (untilMs > nowMs) await onStore(() => this.redis.set(key, String(untilMs), 'PX', untilMs - nowMs));
    else await this.liftPhoneBan(phone);
  }

  async liftPhoneBan(phone: string): Promise<void> {
    await onStore(() => this.redis.del(this.keys.otpBan(this.keys.phoneTag(phone))));
  }

  async recordDispatch(dispatched: Dispatched): Promise<void> {
    const tag = phoneTagOfVerificationId(dispatched.id);
    const draft = this.events.draft({ verificationId: dispatched.id, channel: dispatched.channel, provider: dispatched.provider });
    await onStore(() =>
      this.scripts.run(
        RECORD_DISPATCH,
        { verification: this.keys.otpVerification(tag), events: this.keys.entityEvents(tag) },
        {
          id: dispatched.id,
          channel: dispatched.channel,
          provider: dispatched.provider,
          providerRef: dispatched.providerRef,
          providerOwnsCode: dispatched.providerOwnsCode ? '1' : '0',
          ...this.events.eventArgs(draft),
        },
      ),
    );
  }

  async settle(request: SettleAttempt): Promise<SettleResult> {
    const tag = phoneTagOfVerificationId(request.id);
    const [outcome, ...rest] = await onStore(() =>
      this.scripts.run(
        SETTLE_ATTEMPT,
        { verification: this.keys.otpVerification(tag), failures: this.keys.otpFailures(tag), events: this.keys.entityEvents(tag) },
        {
          id: request.id,
          verdict: request.verdict,
          nowMs: request.nowMs,
          failureWindowMs: request.phoneFailureWindowSeconds * 1000,
          maxAttempts: request.maxAttempts,
          ...this.events.eventArgs(this.events.draft({})),
        },
      ),
    );
    switch (outcome) {
      case 'approved':
        return { outcome, verification: fromHash(rest) };
      case 'wrong_code':
        return { outcome, attempts: Number(rest[0]), phone: String(rest[1]) };
      case 'refunded':
      case 'not_found':
        return { outcome };
      default:
        throw new Error(`unexpected reply from the settle script: ${String(outcome)}`);
    }
  }

  async abandonUnsent({ phone, sentAtMs, resendCooldownSeconds, countedLimits }: AbandonUnsent): Promise<void> {
    const tag = this.keys.phoneTag(phone);
    await onStore(() =>
      this.scripts.run(
        ABANDON_UNSENT,
        { verification: this.keys.otpVerification(tag), sends: this.keys.otpSends(tag) },
        { sentAtMs, cooldownMs: resendCooldownSeconds * 1000 },
        // c<i> counts from 1.
        countedLimits.map((index) => ({ limit: index + 1 })),
      ),
    );
  }

  async chargeChannel(request: ChargeChannel): Promise<ChargeResult> {
    const tag = phoneTagOfVerificationId(request.id);
    const [outcome, value] = await onStore(() =>
      this.scripts.run(
        CHARGE_CHANNEL,
        { verification: this.keys.otpVerification(tag), sends: this.keys.otpSends(tag) },
        {
          id: request.id,
          channel: request.channel,
          startedAtMs: request.startedAtMs,
          nowMs: request.nowMs,
          cooldownMs: request.resendCooldownSeconds * 1000,
        },
        request.sendLimits.map((limit) => ({ max: limit.max, windowMs: limit.windowSeconds * 1000, channel: limit.channel ?? '' })),
      ),
    );
    switch (outcome) {
      case 'charged':
        return { outcome, resendAtMs: Number(value) };
      case 'send_limited':
        return { outcome, retryAfterMs: Number(value) };
      case 'gone':
        return { outcome };
      default:
        throw new Error(`unexpected reply from the charge-channel script: ${String(outcome)}`);
    }
  }

  async abandon(id: string, nowMs: number): Promise<void> {
    const verification = this.keys.otpVerification(phoneTagOfVerificationId(id));
    await onStore(() => this.scripts.run(ABANDON, { verification }, { id, nowMs }));
  }

  async find(id: string): Promise<Verification | null> {
    const hash = await onStore(() => this.redis.hgetall(this.keys.otpVerification(phoneTagOfVerificationId(id))));
    return hash.id === id ? fromRecord(hash) : null;
  }

  async cancel(id: string): Promise<Verification | null> {
    const tag = phoneTagOfVerificationId(id);
    const keys = { verification: this.keys.otpVerification(tag), events: this.keys.entityEvents(tag) };
    const reply = await onStore(() => this.scripts.run(CANCEL, keys, { id, ...this.events.eventArgs(this.events.draft({})) }));
    return reply ? fromHash(reply) : null;
  }

  // The index sits in the slot of the message's digest, not the phone's: one SET (atomic), apart
  // from the verification's scripts. A stop between the dispatch record and this SET only loses
  // that message's receipts (they are answered and ignored); an index outliving its verification,
  // or naming an earlier send, is ignored by the receipt script, which compares the message id.
  async indexDelivery({ provider, providerRef, id, untilMs, nowMs }: IndexDelivery): Promise<void> {
    if (untilMs <= nowMs) return;
    const key = this.keys.deliveryIndex(deliveryDigest({ provider, providerRef }));
    await onStore(() => this.redis.set(key, id, 'PX', untilMs - nowMs));
  }

  async findByDelivery(message: ProviderMessage): Promise<string | null> {
    return onStore(() => this.redis.get(this.keys.deliveryIndex(deliveryDigest(message))));
  }

  async recordDelivery(request: RecordDelivery): Promise<RecordDeliveryResult> {
    const tag = phoneTagOfVerificationId(request.id);
    const draft = this.events.draft(request.eventData ?? {});
    const [outcome, ...rest] = await onStore(() =>
      this.scripts.run(
        RECORD_DELIVERY,
        { verification: this.keys.otpVerification(tag), events: this.keys.eventStream(this.keys.eventShard(tag)) },
        {
          id: request.id,
          provider: request.provider,
          providerRef: request.providerRef,
          status: request.status,
          nowMs: request.nowMs,
          maxAttempts: request.maxAttempts,
          resendCodeHash: request.resendCodeHash,
          eventType: 'verification.delivery_failed',
          ...this.events.eventArgs(draft),
        },
      ),
    );
    switch (outcome) {
      case 'resend':
        return { outcome, verification: fromHash(rest) };
      case 'stale':
      case 'duplicate':
      case 'recorded':
        return { outcome };
      default:
        throw new Error(`unexpected reply from the record-delivery script: ${String(outcome)}`);
    }
  }
}

/** The index key's name: a digest, so no provider's message id (or its length) shows in a key. */
function deliveryDigest({ provider, providerRef }: ProviderMessage): string {
  return createHash('sha256').update(`${provider}:${providerRef}`).digest('base64url').slice(0, 32);
}

function fromHash(flat: Reply): Verification {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = String(flat[i + 1]);
  return fromRecord(record);
}

function fromRecord(record: Record<string, string>): Verification {
  return {
    id: record.id,
    phone: record.phone,
    status: record.status as Verification['status'],
    codeHash: record.codeHash,
    attempts: Number(record.attempts),
    sends: Number(record.sends),
    // Verifications stored before channels existed were SMS.
    channel: (record.channel || 'sms') as Channel,
    provider: record.provider,
    providerRef: record.providerRef,
    createdAtMs: Number(record.createdAt),
    expiresAtMs: Number(record.expiresAt),
    resendAtMs: Number(record.resendAt),
    // Verifications stored before purposes existed were logins.
    purpose: (record.purpose || 'login') as Verification['purpose'],
    sessionId: record.sid ?? '',
    context: record.context ?? '',
    ...(record.delivery
      ? { delivery: { status: record.delivery as DeliveryStatus, provider: record.deliveryProvider ?? '', atMs: Number(record.deliveryAt) } }
      : {}),
    ...(record.autoResent === '1' ? { autoResent: true } : {}),
  };
}

import { timingSafeEqual } from 'node:crypto';
import type { EventLog } from '../events/event-log.js';
import type { EventData, EventType } from '../events/event-types.js';
import { LOGIN_SCOPE, Verification } from './verification.js';
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
  SendLimit,
  SettleAttempt,
  SettleResult,
  StartResult,
  StartVerification,
  VerificationRepository,
} from './verification.repository.js';

interface Entry {
  verification: Verification;
  retainUntilMs: number;
  /** The message id the latest delivery receipt was about. */
  deliveryRef?: string;
  /** `verification.failed` was recorded (once per verification, as the script's `failedEvent`). */
  failedRecorded?: boolean;
}

interface Failures {
  count: number;
  resetAtMs: number;
}

/** For one process: the embedded default and fast tests. JavaScript runs each method to its end. */
export class InMemoryVerificationRepository extends VerificationRepository {
  private readonly byPhone = new Map<string, Entry>();
  private readonly phoneById = new Map<string, string>();
  private readonly failures = new Map<string, Failures>();
  /** Per phone, one count per send limit (same order as the request's sendLimits). */
  private readonly sends = new Map<string, Failures[]>();
  /** Banned phones: the ban's end, or null for none. */
  private readonly bans = new Map<string, number | null>();
  private starts = 0;
  /** Delivery index: `provider:providerRef` to the verification id, until the verification is gone. */
  private readonly deliveries = new Map<string, { id: string; untilMs: number }>();

  /** The in-memory log records synchronously: each event lands inside the change it reports. */
  constructor(private readonly events: EventLog) {
    super();
  }

  private record(type: EventType, data: EventData): void {
    void this.events.append(type, this.events.draft(data));
  }

  private recordApproved(verification: Verification): void {
    const { id: verificationId, phone, channel, purpose } = verification;
    this.record('verification.approved', { verificationId, phone, channel, purpose });
  }

  /** At the last attempt, once per verification. */
  private recordFailedOnce(entry: Entry, maxAttempts: number): void {
    const { verification } = entry;
    if (verification.attempts < maxAttempts || entry.failedRecorded) return;
    entry.failedRecorded = true;
    this.record('verification.failed', { verificationId: verification.id, phone: verification.phone, attempts: verification.attempts });
  }

  async start(request: StartVerification): Promise<StartResult> {
    const { phone, nowMs } = request;
    this.sweepEvery(1000, nowMs);
    // Not for a phone change: its send must not tell whether the number is a banned account's.
    if ((request.scope ?? LOGIN_SCOPE).purpose !== 'phone_change' && this.banned(phone, nowMs)) return { outcome: 'banned' };
    const failures = this.liveFailures(phone, nowMs);
    if (failures && failures.count >= request.phoneMaxFailures) {
      return { outcome: 'phone_locked', retryAfterMs: failures.resetAtMs - nowMs };
    }
    const current = this.live(phone, nowMs)?.verification;
    if (current && current.status !== 'approved' && current.resendAtMs > nowMs) {
      return { outcome: 'resend_too_soon', retryAfterMs: current.resendAtMs - nowMs };
    }
    const sendLimited = this.countSend(request);
    if (sendLimited !== undefined) return sendLimited;
    const ttlMs = request.ttlSeconds * 1000;
    const scope = request.scope ?? LOGIN_SCOPE;
    const renewed = {
      codeHash: request.codeHash,
      channel: request.channel,
      provider: request.provider,
      providerRef: '',
      expiresAtMs: nowMs + ttlMs,
      resendAtMs: nowMs + request.resendCooldownSeconds * 1000,
      context: scope.context ?? '',
    };
    const open =
      current?.status === 'pending' &&
      current.expiresAtMs > nowMs &&
      current.attempts < request.maxAttempts &&
      current.purpose === scope.purpose &&
      current.sessionId === scope.sessionId;
    const verification: Verification = open
      ? { ...current, ...renewed, sends: current.sends + 1 }
      : {
          ...renewed,
          id: request.newId,
          phone,
          status: 'pending',
          attempts: 0,
          sends: 1,
          createdAtMs: nowMs,
          purpose: scope.purpose,
          sessionId: scope.sessionId,
        };
    if (current && !open) this.phoneById.delete(current.id);
    this.byPhone.set(phone, { verification, retainUntilMs: renewed.expiresAtMs + ttlMs });
    this.phoneById.set(verification.id, phone);
    return { outcome: open ? 'resent' : 'created', verification: { ...verification } };
  }

  /** Checks every send limit of the phone, then counts the send on each (or on none when refused). */
  private countSend({ phone, nowMs, sendLimits, channel }: StartVerification): StartResult | undefined {
    const counts = (this.sends.get(phone) ?? []).map((count) => (count.resetAtMs > nowMs ? count : undefined));
    const applies = (limit: SendLimit) => limit.channel === undefined || limit.channel === channel;
    for (const [index, limit] of sendLimits.entries()) {
      const count = counts[index];
      if (applies(limit) && count && count.count >= limit.max) return { outcome: 'send_limited', retryAfterMs: count.resetAtMs - nowMs };
    }
    this.sends.set(
      phone,
      sendLimits.map((limit, index) => {
        const count = counts[index];
        if (!applies(limit)) return count ?? { count: 0, resetAtMs: 0 };
        return count ? { ...count, count: count.count + 1 } : { count: 1, resetAtMs: nowMs + limit.windowSeconds * 1000 };
      }),
    );
    return undefined;
  }

  async check(request: CheckCode): Promise<CheckResult> {
    const { nowMs } = request;
    const phone = 'id' in request.target ? this.phoneById.get(request.target.id) : request.target.phone;
    const entry = phone === undefined ? undefined : this.live(phone, nowMs);
    const verification = entry?.verification;
    const scope = request.scope ?? LOGIN_SCOPE;
    if (
      verification === undefined ||
      ('id' in request.target && verification.id !== request.target.id) ||
      verification.status !== 'pending' ||
      verification.purpose !== scope.purpose ||
      verification.sessionId !== scope.sessionId
    ) {
      return { outcome: 'not_found' };
    }
    if (scope.purpose !== 'phone_change' && this.banned(verification.phone, nowMs)) return { outcome: 'banned' };
    if (verification.attempts >= request.maxAttempts) {
      return { outcome: 'max_attempts', retryAfterMs: Math.max(0, verification.resendAtMs - nowMs) };
    }
    const failures = this.liveFailures(verification.phone, nowMs);
    if (failures && failures.count >= request.phoneMaxFailures) {
      return { outcome: 'phone_locked', retryAfterMs: failures.resetAtMs - nowMs };
    }
    if (nowMs >= verification.expiresAtMs) return { outcome: 'expired' };
    if (verification.codeHash === '') {
      verification.attempts += 1;
      return { outcome: 'reserved', verification: { ...verification } };
    }
    if (sameDigest(verification.codeHash, request.codeHash)) {
      verification.status = 'approved';
      this.failures.delete(verification.phone);
      this.recordApproved(verification);
      return { outcome: 'approved', verification: { ...verification } };
    }
    verification.attempts += 1;
    this.countFailure(verification.phone, nowMs, request.phoneFailureWindowSeconds);
    if (entry) this.recordFailedOnce(entry, request.maxAttempts);
    return { outcome: 'wrong_code', attempts: verification.attempts, phone: verification.phone };
  }

  async banPhone({ phone, untilMs, nowMs }: PhoneBan): Promise<void> {
    if (untilMs === null || untilMs > nowMs) this.bans.set(phone, untilMs);
    else this.bans.delete(phone);
  }

  async liftPhoneBan(phone: string): Promise<void> {
    this.bans.delete(phone);
  }

  private banned(phone: string, nowMs: number): boolean {
    if (!this.bans.has(phone)) return false;
    const untilMs = this.bans.get(phone) ?? null;
    if (untilMs === null || untilMs > nowMs) return true;
    this.bans.delete(phone);
    return false;
  }

  async recordDispatch(dispatched: Dispatched): Promise<void> {
    const verification = this.findEntry(dispatched.id, dispatched.nowMs)?.verification;
    if (verification?.status !== 'pending') return;
    verification.channel = dispatched.channel;
    verification.provider = dispatched.provider;
    verification.providerRef = dispatched.providerRef;
    if (dispatched.providerOwnsCode) verification.codeHash = '';
    const { id: verificationId, channel, provider } = dispatched;
    this.record('verification.sent', { verificationId, channel, provider, phone: verification.phone });
  }

  async settle(request: SettleAttempt): Promise<SettleResult> {
    const entry = this.findEntry(request.id, request.nowMs);
    const verification = entry?.verification;
    if (entry === undefined || verification === undefined) return { outcome: 'not_found' };
    switch (request.verdict) {
      case 'approved':
        if (verification.status !== 'pending') return { outcome: 'not_found' };
        verification.status = 'approved';
        this.failures.delete(verification.phone);
        this.recordApproved(verification);
        return { outcome: 'approved', verification: { ...verification } };
      case 'rejected':
        this.countFailure(verification.phone, request.nowMs, request.phoneFailureWindowSeconds);
        this.recordFailedOnce(entry, request.maxAttempts);
        return { outcome: 'wrong_code', attempts: verification.attempts, phone: verification.phone };
      case 'refund':
        verification.attempts = Math.max(0, verification.attempts - 1);
        return { outcome: 'refunded' };
    }
  }

  private countFailure(phone: string, nowMs: number, windowSeconds: number): void {
    const failures = this.liveFailures(phone, nowMs);
    if (failures) failures.count += 1;
    else this.failures.set(phone, { count: 1, resetAtMs: nowMs + windowSeconds * 1000 });
  }

  async abandon(id: string, nowMs: number): Promise<void> {
    const verification = this.findEntry(id, nowMs)?.verification;
    if (verification === undefined) return;
    if (verification.status === 'pending') verification.status = 'canceled';
    verification.resendAtMs = Math.min(verification.resendAtMs, nowMs);
  }

  async abandonUnsent({ phone, sentAtMs, resendCooldownSeconds, countedLimits, nowMs }: AbandonUnsent): Promise<void> {
    const verification = this.live(phone, nowMs)?.verification;
    if (verification?.status !== 'pending' || verification.resendAtMs !== sentAtMs + resendCooldownSeconds * 1000) return;
    verification.status = 'canceled';
    verification.resendAtMs = sentAtMs;
    const counts = this.sends.get(phone) ?? [];
    for (const index of countedLimits) {
      const count = counts[index];
      if (count !== undefined && count.resetAtMs > sentAtMs && count.count > 0) count.count -= 1;
    }
  }

  async chargeChannel(request: ChargeChannel): Promise<ChargeResult> {
    const { nowMs, channel } = request;
    const verification = this.findEntry(request.id, nowMs)?.verification;
    if (verification?.status !== 'pending') return { outcome: 'gone' };
    const counts = this.sends.get(verification.phone) ?? [];
    const own = request.sendLimits.map((limit, index) => ({ limit, index })).filter(({ limit }) => limit.channel === channel);
    for (const { limit, index } of own) {
      const count = counts[index];
      if (count && count.resetAtMs > nowMs && count.count >= limit.max) return { outcome: 'send_limited', retryAfterMs: count.resetAtMs - nowMs };
    }
    for (const { limit, index } of own) {
      const count = counts[index];
      counts[index] = count && count.resetAtMs > nowMs ? { ...count, count: count.count + 1 } : { count: 1, resetAtMs: nowMs + limit.windowSeconds * 1000 };
    }
    this.sends.set(verification.phone, counts);
    verification.resendAtMs = Math.max(verification.resendAtMs, request.startedAtMs + request.resendCooldownSeconds * 1000);
    verification.channel = channel;
    return { outcome: 'charged', resendAtMs: verification.resendAtMs };
  }

  async find(id: string, nowMs: number): Promise<Verification | null> {
    const verification = this.findEntry(id, nowMs)?.verification;
    return verification ? { ...verification } : null;
  }

  async cancel(id: string, nowMs: number): Promise<Verification | null> {
    const verification = this.findEntry(id, nowMs)?.verification;
    if (verification === undefined) return null;
    if (verification.status === 'pending') {
      verification.status = 'canceled';
      this.record('verification.canceled', { verificationId: id, phone: verification.phone });
    }
    return { ...verification };
  }

  async indexDelivery({ provider, providerRef, id, untilMs, nowMs }: IndexDelivery): Promise<void> {
    if (untilMs > nowMs) this.deliveries.set(`${provider}:${providerRef}`, { id, untilMs });
  }

  async findByDelivery({ provider, providerRef }: ProviderMessage, nowMs: number): Promise<string | null> {
    const key = `${provider}:${providerRef}`;
    const found = this.deliveries.get(key);
    if (found && found.untilMs <= nowMs) this.deliveries.delete(key);
    return found && found.untilMs > nowMs ? found.id : null;
  }

  async recordDelivery(request: RecordDelivery): Promise<RecordDeliveryResult> {
    const { nowMs, status, provider, providerRef } = request;
    const entry = this.findEntry(request.id, nowMs);
    const verification = entry?.verification;
    if (!entry || !verification || verification.provider !== provider || verification.providerRef !== providerRef) return { outcome: 'stale' };
    const sameSend = entry.deliveryRef === providerRef;
    if (sameSend && (status === 'unknown' || verification.delivery?.status !== 'unknown')) return { outcome: 'duplicate' };
    verification.delivery = { status, provider, atMs: nowMs };
    entry.deliveryRef = providerRef;
    if (status !== 'failed') return { outcome: 'recorded' };
    const open = verification.status === 'pending' && verification.expiresAtMs > nowMs && verification.attempts < request.maxAttempts;
    const resend = open && !verification.autoResent && request.resendCodeHash !== '';
    if (resend) {
      verification.autoResent = true;
      verification.codeHash = request.resendCodeHash;
      verification.sends += 1;
    }
    // Changed above without a pause; the in-memory log records before it returns.
    await this.events.append('verification.delivery_failed', this.events.draft(request.eventData ?? {}));
    return resend ? { outcome: 'resend', verification: { ...verification } } : { outcome: 'recorded' };
  }

  private findEntry(id: string, nowMs: number): Entry | undefined {
    const phone = this.phoneById.get(id);
    const entry = phone === undefined ? undefined : this.live(phone, nowMs);
    return entry?.verification.id === id ? entry : undefined;
  }

  private live(phone: string, nowMs: number): Entry | undefined {
    const entry = this.byPhone.get(phone);
    if (entry && entry.retainUntilMs <= nowMs) {
      this.byPhone.delete(phone);
      this.phoneById.delete(entry.verification.id);
      return undefined;
    }
    return entry;
  }

  private liveFailures(phone: string, nowMs: number): Failures | undefined {
    const failures = this.failures.get(phone);
    if (failures && failures.resetAtMs <= nowMs) {
      this.failures.delete(phone);
      return undefined;
    }
    return failures;
  }

  // Keeps memory bounded without a timer (a timer would keep the process alive).
  private sweepEvery(calls: number, nowMs: number): void {
    this.starts += 1;
    if (this.starts % calls !== 0) return;
    for (const phone of [...this.byPhone.keys()]) this.live(phone, nowMs);
    for (const phone of [...this.failures.keys()]) this.liveFailures(phone, nowMs);
    for (const phone of [...this.bans.keys()]) this.banned(phone, nowMs);
    for (const [phone, counts] of [...this.sends]) if (counts.every((count) => count.resetAtMs <= nowMs)) this.sends.delete(phone);
    for (const [key, { untilMs }] of [...this.deliveries]) if (untilMs <= nowMs) this.deliveries.delete(key);
  }
}

function sameDigest(stored: string, presented: string): boolean {
  if (stored === '' || stored.length !== presented.length) return false;
  return timingSafeEqual(Buffer.from(stored), Buffer.from(presented));
}

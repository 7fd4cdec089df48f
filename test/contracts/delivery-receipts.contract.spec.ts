import type { EventLog } from '../../src/events/event-log.js';
import { InMemoryEventLog } from '../../src/events/in-memory-event-log.js';
import { InMemoryVerificationRepository } from '../../src/otp/in-memory-verification.repository.js';
import { RedisVerificationRepository } from '../../src/otp/redis-verification.repository.js';
import { newVerificationId } from '../../src/otp/verification-id.js';
import type { RecordDelivery, VerificationRepository } from '../../src/otp/verification.repository.js';
import type { RedisClient } from '../../src/redis/redis.constants.js';
import { PhoneTagger } from '../../src/common/phone/phone-tagger.js';
import { KeyDerivation } from '../../src/common/secrets/key-derivation.js';
import { CONTRACT_HMAC_SECRET, CONTRACT_KEYS, eventLogFor, onEveryStore, randomPhone, scriptsFor } from './every-store.js';

const tagger = new PhoneTagger(KeyDerivation.of(CONTRACT_HMAC_SECRET));
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
// Every verification event lands in the same stream (verification.sent too): read only the receipts' own.
const FAILED = 'verification.delivery_failed';

interface Subject {
  repository: VerificationRepository;
  /** The delivery_failed events recorded for a verification, read where the adapter records them. */
  failures(id: string): Promise<unknown[]>;
}

function subjectOf(redis: RedisClient | null): Subject {
  const events: EventLog = eventLogFor(redis);
  const repository = redis ? new RedisVerificationRepository(redis, scriptsFor(redis), CONTRACT_KEYS, events) : new InMemoryVerificationRepository(events);
  return {
    repository,
    failures: async (id) => {
      const data = (json: string) => JSON.parse(json) as { verificationId: string };
      if (events instanceof InMemoryEventLog) {
        return events.take(10_000).filter((event) => event.type === FAILED && event.data.verificationId === id).map((event) => event.data);
      }
      const stream = CONTRACT_KEYS.eventStream(CONTRACT_KEYS.eventShard(id.slice(0, PhoneTagger.TAG_LENGTH)));
      const entries = await redis!.xrange(stream, '-', '+');
      return entries
        .filter(([, fields]) => fields[fields.indexOf('type') + 1] === FAILED)
        .map(([, fields]) => data(fields[fields.indexOf('data') + 1]!))
        .filter((event) => event.verificationId === id);
    },
  };
}

onEveryStore<Subject>((adapter, setup) => {
  describe(`VerificationRepository delivery receipts contract: ${adapter}`, () => {
    let subject: Subject;
    let teardown: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ repository: subject, teardown } = await setup());
    });
    afterAll(async () => teardown?.());

    /** A sent verification: started, dispatched through `provider` as `providerRef`, and indexed. */
    async function sent(provider = 'sinch-sms', providerRef = `ref-${Math.random()}`) {
      const phone = randomPhone();
      const started = await subject.repository.start({
        phone,
        newId: newVerificationId(tagger.tag(phone)),
        codeHash: 'hash-1',
        channel: 'sms',
        provider: '',
        nowMs: T0,
        ttlSeconds: 300,
        resendCooldownSeconds: 30,
        maxAttempts: 5,
        phoneMaxFailures: 20,
        sendLimits: [],
      });
      if (started.outcome !== 'created') throw new Error(started.outcome);
      const { id } = started.verification;
      await subject.repository.recordDispatch({ id, channel: 'sms', provider, providerRef, providerOwnsCode: false, nowMs: T0 });
      await subject.repository.indexDelivery({ provider, providerRef, id, untilMs: T0 + 600_000, nowMs: T0 });
      return { id, phone, provider, providerRef };
    }
    const receipt = (message: { id: string; provider: string; providerRef: string }, overrides: Partial<RecordDelivery> = {}) =>
      subject.repository.recordDelivery({ ...message, status: 'failed', nowMs: T0 + 1000, maxAttempts: 5, resendCodeHash: 'hash-2', eventData: { verificationId: message.id }, ...overrides });

    it('finds the verification of a provider\'s message, and none for another provider or message', async () => {
      const message = await sent();
      expect(await subject.repository.findByDelivery(message, T0 + 1000)).toBe(message.id);
      expect(await subject.repository.findByDelivery({ provider: 'whatsapp-cloud', providerRef: message.providerRef }, T0 + 1000)).toBeNull();
      expect(await subject.repository.findByDelivery({ provider: message.provider, providerRef: 'other' }, T0 + 1000)).toBeNull();
    });

    it('claims one resend on the first failure of an open verification: new digest, same attempts and expiry, one event', async () => {
      const message = await sent();
      const first = await receipt(message);
      expect(first).toMatchObject({ outcome: 'resend', verification: { id: message.id, codeHash: 'hash-2', attempts: 0, expiresAtMs: T0 + 300_000, autoResent: true, delivery: { status: 'failed', provider: 'sinch-sms', atMs: T0 + 1000 } } });
      expect(await receipt(message)).toEqual({ outcome: 'duplicate' });
      expect(await receipt(message, { status: 'unknown' })).toEqual({ outcome: 'duplicate' });
      expect(await subject.failures(message.id)).toEqual([{ verificationId: message.id }]);
    });

    it('resends a verification once: a failure of the resent message is recorded without a second resend', async () => {
      const message = await sent();
      expect((await receipt(message)).outcome).toBe('resend');
      await subject.repository.recordDispatch({ id: message.id, channel: 'sms', provider: 'webhook', providerRef: 'resent-ref', providerOwnsCode: false, nowMs: T0 + 1000 });
      expect(await receipt({ ...message, provider: 'webhook', providerRef: 'resent-ref' }, { resendCodeHash: 'hash-3' })).toEqual({ outcome: 'recorded' });
      const stored = await subject.repository.find(message.id, T0 + 2000);
      expect(stored).toMatchObject({ codeHash: 'hash-2', delivery: { status: 'failed', provider: 'webhook' } });
      // A late receipt of the first send names a message the verification no longer waits on.
      expect(await receipt(message, { status: 'delivered' })).toEqual({ outcome: 'stale' });
    });

    it('records delivered once, and an unknown only before a final receipt', async () => {
      const message = await sent();
      expect(await receipt(message, { status: 'unknown' })).toEqual({ outcome: 'recorded' });
      expect(await receipt(message, { status: 'delivered' })).toEqual({ outcome: 'recorded' });
      expect(await receipt(message, { status: 'failed' })).toEqual({ outcome: 'duplicate' });
      expect((await subject.repository.find(message.id, T0 + 2000))?.delivery).toEqual({ status: 'delivered', provider: 'sinch-sms', atMs: T0 + 1000 });
      expect(await subject.failures(message.id)).toEqual([]);
    });

    it('records a failure of a closed or expired verification without a resend', async () => {
      const approved = await sent();
      expect((await subject.repository.check({ target: { id: approved.id }, codeHash: 'hash-1', nowMs: T0, maxAttempts: 5, phoneMaxFailures: 20, phoneFailureWindowSeconds: 900 })).outcome).toBe('approved');
      expect(await receipt(approved)).toEqual({ outcome: 'recorded' });
      const expired = await sent();
      expect(await receipt(expired, { nowMs: T0 + 300_000 })).toEqual({ outcome: 'recorded' });
      expect((await subject.repository.find(expired.id, T0 + 300_000))?.codeHash).toBe('hash-1');
      expect(await subject.failures(approved.id)).toHaveLength(1);
    });

    it('ignores a receipt for an unknown verification', async () => {
      const phone = randomPhone();
      expect(await receipt({ id: newVerificationId(tagger.tag(phone)), provider: 'sinch-sms', providerRef: 'x' })).toEqual({ outcome: 'stale' });
    });
  });
}, subjectOf);

import { PhoneTagger } from '../../src/common/phone/phone-tagger.js';
import { KeyDerivation } from '../../src/common/secrets/key-derivation.js';
import type { RecordedEvents, SeenEvent } from '../support/recorded-events.js';
import { CONTRACT_HMAC_SECRET, type ContractSetup, randomPhone } from './every-store.js';
import { newVerificationId } from '../../src/otp/verification-id.js';
import { StartVerification, VerificationRepository } from '../../src/otp/verification.repository.js';

const tagger = new PhoneTagger(KeyDerivation.of(CONTRACT_HMAC_SECRET));
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

/**
 * The behaviour every VerificationRepository adapter must have. Each test uses its own phone,
 * so adapters can share one store across tests.
 */
export function verificationRepositoryContract(
  adapter: string,
  setup: () => Promise<ContractSetup<VerificationRepository>>,
): void {
  describe(`VerificationRepository contract: ${adapter}`, () => {
    let repository: VerificationRepository;
    let events: RecordedEvents;
    let teardown: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ repository, events, teardown } = await setup());
    });
    afterAll(async () => teardown?.());

    const newPhone = randomPhone;
    const startFor = (phone: string, overrides: Partial<StartVerification> = {}) =>
      repository.start({
        phone,
        newId: newVerificationId(tagger.tag(phone)),
        codeHash: 'hash-1',
        channel: 'sms',
        provider: 'outbox',
        nowMs: T0,
        ttlSeconds: 300,
        resendCooldownSeconds: 30,
        maxAttempts: 5,
        phoneMaxFailures: 20,
        sendLimits: [
          { max: 5, windowSeconds: 3600 },
          { max: 10, windowSeconds: 86400 },
        ],
        ...overrides,
      });
    const check = (target: { id: string } | { phone: string }, codeHash: string, nowMs = T0 + 1000, limits = {}) =>
      repository.check({
        target,
        codeHash,
        nowMs,
        maxAttempts: 5,
        phoneMaxFailures: 20,
        phoneFailureWindowSeconds: 86400,
        ...limits,
      });
    const created = async (phone: string, overrides: Partial<StartVerification> = {}) => {
      const result = await startFor(phone, overrides);
      if (result.outcome !== 'created') throw new Error(`expected created, got ${result.outcome}`);
      return result.verification;
    };

    it('refuses a banned phone\'s sends, writing and counting nothing, until the ban ends', async () => {
      const phone = newPhone();
      await repository.banPhone({ phone, untilMs: T0 + 60_000, nowMs: T0 });
      expect(await startFor(phone)).toEqual({ outcome: 'banned' });
      expect(await startFor(phone, { nowMs: T0 + 59_999 })).toEqual({ outcome: 'banned' });
      // Nothing counted while banned: the first send after the ban is a first send, within every limit.
      const after = await startFor(phone, { nowMs: T0 + 60_000, sendLimits: [{ max: 1, windowSeconds: 3600 }] });
      expect(after).toMatchObject({ outcome: 'created', verification: { sends: 1 } });
    });

    it('refuses checks of a pending code of a banned phone without counting them; a ban lifted is none', async () => {
      const phone = newPhone();
      const verification = await created(phone);
      await repository.banPhone({ phone, untilMs: null, nowMs: T0 });
      expect(await check({ id: verification.id }, 'hash-1')).toEqual({ outcome: 'banned' });
      expect(await check({ phone }, 'wrong', T0 + 2000)).toEqual({ outcome: 'banned' });
      expect(await startFor(phone, { nowMs: T0 + 3_600_000 })).toEqual({ outcome: 'banned' });
      await repository.liftPhoneBan(phone);
      expect(await check({ id: verification.id }, 'hash-1', T0 + 3000)).toMatchObject({ outcome: 'approved', verification: { attempts: 0 } });
    });

    it('says nothing of a ban to a check that finds no pending verification', async () => {
      const phone = newPhone();
      await repository.banPhone({ phone, untilMs: null, nowMs: T0 });
      expect(await check({ phone }, 'hash-1')).toEqual({ outcome: 'not_found' });
      expect(await check({ id: newVerificationId(tagger.tag(phone)) }, 'hash-1')).toEqual({ outcome: 'not_found' });
      await repository.liftPhoneBan(phone);
    });

    it('does not refuse a phone change\'s send or check to a banned phone: it must not say whose the number is', async () => {
      const phone = newPhone();
      await repository.banPhone({ phone, untilMs: null, nowMs: T0 });
      const scope = { purpose: 'phone_change' as const, sessionId: 'ses_mover' };
      const verification = await created(phone, { scope });
      expect(await check({ id: verification.id }, 'hash-1', T0 + 1000, { scope })).toMatchObject({ outcome: 'approved', verification: { purpose: 'phone_change' } });
      // A login of the number is still refused.
      expect(await startFor(phone, { nowMs: T0 + 3_600_000 })).toEqual({ outcome: 'banned' });
      await repository.liftPhoneBan(phone);
    });

    it('takes a ban that has already ended as none, and a new ban replaces the last', async () => {
      const phone = newPhone();
      await repository.banPhone({ phone, untilMs: null, nowMs: T0 });
      await repository.banPhone({ phone, untilMs: T0, nowMs: T0 });
      expect(await startFor(phone)).toMatchObject({ outcome: 'created' });
      const other = newPhone();
      await repository.banPhone({ phone: other, untilMs: null, nowMs: T0 });
      await repository.banPhone({ phone: other, untilMs: T0 + 1000, nowMs: T0 });
      expect(await startFor(other, { nowMs: T0 + 1000 })).toMatchObject({ outcome: 'created' });
    });

    it('creates a pending verification with the given id', async () => {
      const phone = newPhone();
      const newId = newVerificationId(tagger.tag(phone));
      const result = await startFor(phone, { newId });
      expect(result).toEqual({
        outcome: 'created',
        verification: {
          id: newId,
          phone,
          status: 'pending',
          codeHash: 'hash-1',
          attempts: 0,
          sends: 1,
          channel: 'sms',
          provider: 'outbox',
          providerRef: '',
          createdAtMs: T0,
          expiresAtMs: T0 + 300_000,
          resendAtMs: T0 + 30_000,
          purpose: 'login',
          sessionId: '',
          context: '',
        },
      });
      if (result.outcome !== 'created') throw new Error(result.outcome);
      expect(await repository.find(newId, T0)).toEqual(result.verification);
    });

    it('caps sends per phone per hour and per day, whatever the cooldown', async () => {
      const phone = newPhone();
      const sendLimits = [
        { max: 2, windowSeconds: 3600 },
        { max: 3, windowSeconds: 86400 },
      ];
      const at = (minutes: number) => startFor(phone, { nowMs: T0 + minutes * 60_000, sendLimits });
      expect((await at(0)).outcome).toBe('created');
      expect((await at(1)).outcome).toBe('resent');
      expect(await at(2)).toEqual({ outcome: 'send_limited', retryAfterMs: 58 * 60_000 });
      expect((await at(60)).outcome).toBe('created');
      expect(await at(61)).toEqual({ outcome: 'send_limited', retryAfterMs: (24 * 60 - 61) * 60_000 });
      expect(await at(24 * 60 - 1)).toMatchObject({ outcome: 'send_limited' });
      expect((await at(24 * 60)).outcome).toBe('created');
    });

    // The Redis START script counts a send on every limit it checked before one refused it (a
    // refused send after a spent day uses up the hour): it fails this case until it checks every
    // limit before counting any. Then `it`, and two send limits in verification-repository.model.spec.ts.
    it('counts a refused send on no limit: sends refused by the day do not use up the hour', async () => {
      const phone = newPhone();
      const sendLimits = [
        { max: 2, windowSeconds: 3600 },
        { max: 3, windowSeconds: 86400 },
      ];
      const at = (minutes: number) => startFor(phone, { nowMs: T0 + minutes * 60_000, sendLimits });
      expect((await at(0)).outcome).toBe('created');
      expect((await at(1)).outcome).toBe('resent');
      expect((await at(60)).outcome).toBe('created');
      expect(await at(24 * 60 - 30)).toEqual({ outcome: 'send_limited', retryAfterMs: 30 * 60_000 });
      expect(await at(24 * 60 - 20)).toEqual({ outcome: 'send_limited', retryAfterMs: 20 * 60_000 });
      // A new day, and only refused sends in the last hour: this one goes out.
      expect((await at(24 * 60)).outcome).toBe('created');
    });

    it('counts a channel\'s own limit only on that channel\'s sends, and every send on the shared ones', async () => {
      const phone = newPhone();
      const sendLimits = [
        { max: 4, windowSeconds: 3600 },
        { max: 1, windowSeconds: 86400, channel: 'voice' as const },
      ];
      const at = (minutes: number, channel: 'sms' | 'voice') => startFor(phone, { nowMs: T0 + minutes * 60_000, sendLimits, channel });
      expect((await at(0, 'voice')).outcome).toBe('created');
      expect(await at(1, 'voice')).toEqual({ outcome: 'send_limited', retryAfterMs: 24 * 3600_000 - 60_000 });
      expect((await at(2, 'sms')).outcome).toBe('resent');
      expect((await at(3, 'sms')).outcome).toBe('resent');
      expect((await at(4, 'sms')).outcome).toBe('resent');
      // The refused call counted nowhere: four sends in the hour, the fifth is refused whatever its channel.
      expect(await at(5, 'sms')).toEqual({ outcome: 'send_limited', retryAfterMs: 55 * 60_000 });
    });

    it('switches the channel on a resend and records the channel that carried a send', async () => {
      const phone = newPhone();
      const { id } = await created(phone, { channel: 'whatsapp' });
      const resent = await startFor(phone, { nowMs: T0 + 30_000, channel: 'voice', codeHash: 'hash-2', resendCooldownSeconds: 60 });
      expect(resent).toMatchObject({ outcome: 'resent', verification: { id, channel: 'voice', codeHash: 'hash-2', resendAtMs: T0 + 90_000 } });
      await repository.recordDispatch({ id, channel: 'sms', provider: 'sinch-sms', providerRef: 'batch-2', providerOwnsCode: false, nowMs: T0 + 30_000 });
      expect(await repository.find(id, T0 + 31_000)).toMatchObject({ channel: 'sms', provider: 'sinch-sms', codeHash: 'hash-2' });
    });

    it('refuses a resend before the cooldown ends', async () => {
      const phone = newPhone();
      await created(phone);
      expect(await startFor(phone, { nowMs: T0 + 29_000 })).toEqual({ outcome: 'resend_too_soon', retryAfterMs: 1000 });
    });

    it('resends with the same id, a new code and the failed attempts kept', async () => {
      const phone = newPhone();
      const first = await created(phone);
      expect((await check({ id: first.id }, 'wrong')).outcome).toBe('wrong_code');
      const resent = await startFor(phone, { nowMs: T0 + 30_000, codeHash: 'hash-2', newId: newVerificationId(tagger.tag(phone)) });
      expect(resent.outcome).toBe('resent');
      if (resent.outcome !== 'resent') return;
      expect(resent.verification).toMatchObject({
        id: first.id,
        attempts: 1,
        sends: 2,
        codeHash: 'hash-2',
        expiresAtMs: T0 + 330_000,
        resendAtMs: T0 + 60_000,
        createdAtMs: T0,
      });
      expect((await check({ id: first.id }, 'hash-1', T0 + 31_000)).outcome).toBe('wrong_code');
      expect((await check({ id: first.id }, 'hash-2', T0 + 31_000)).outcome).toBe('approved');
    });

    it('approves the right code once, by id', async () => {
      const phone = newPhone();
      const verification = await created(phone);
      const approved = await check({ id: verification.id }, 'hash-1');
      expect(approved).toEqual({ outcome: 'approved', verification: { ...verification, status: 'approved' } });
      expect(await check({ id: verification.id }, 'hash-1')).toEqual({ outcome: 'not_found' });
      expect((await repository.find(verification.id, T0))?.status).toBe('approved');
    });

    it('approves the right code by phone', async () => {
      const phone = newPhone();
      await created(phone);
      expect((await check({ phone }, 'hash-1')).outcome).toBe('approved');
      expect(await check({ phone }, 'hash-1')).toEqual({ outcome: 'not_found' });
    });

    it('counts wrong codes and refuses the sixth attempt even with the right code', async () => {
      const phone = newPhone();
      const { id } = await created(phone);
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        expect(await check({ id }, 'wrong')).toEqual({ outcome: 'wrong_code', attempts: attempt, phone });
      }
      // Retry-After of the refusal: until the cooldown of the last send (T0 + 30 s) has passed.
      expect(await check({ id }, 'hash-1', T0 + 1000)).toEqual({ outcome: 'max_attempts', retryAfterMs: 29_000 });
    });

    it('caps wrong codes per phone across verifications, and a new verification does not reset them', async () => {
      const phone = newPhone();
      const limits = { phoneMaxFailures: 3 };
      const first = await created(phone, { phoneMaxFailures: 3 });
      await check({ id: first.id }, 'wrong', T0 + 1000, limits);
      await check({ id: first.id }, 'wrong', T0 + 1000, limits);
      // An expired verification is replaced by a new one, whose attempts start at 0 ...
      const second = await created(phone, { nowMs: T0 + 301_000, phoneMaxFailures: 3 });
      expect(second.id).not.toBe(first.id);
      expect(await check({ id: second.id }, 'wrong', T0 + 302_000, limits)).toEqual({ outcome: 'wrong_code', attempts: 1, phone });
      // ... but the phone has now failed three times: even the right code is refused, and so is a new send.
      const locked = await check({ id: second.id }, 'hash-1', T0 + 303_000, limits);
      expect(locked.outcome).toBe('phone_locked');
      const refused = await startFor(phone, { nowMs: T0 + 400_000, phoneMaxFailures: 3 });
      expect(refused.outcome).toBe('phone_locked');
    });

    it('refuses an expired code without counting an attempt', async () => {
      const phone = newPhone();
      const { id } = await created(phone);
      expect(await check({ id }, 'hash-1', T0 + 299_999)).toMatchObject({ outcome: 'approved' });
      const other = newPhone();
      const late = await created(other);
      expect(await check({ id: late.id }, 'hash-1', T0 + 300_000)).toEqual({ outcome: 'expired' });
      expect((await repository.find(late.id, T0 + 300_000))?.attempts).toBe(0);
    });

    it('does not find a verification under another id of the same phone', async () => {
      const phone = newPhone();
      await created(phone);
      const stranger = newVerificationId(tagger.tag(phone));
      expect(await repository.find(stranger, T0)).toBeNull();
      expect(await check({ id: stranger }, 'hash-1')).toEqual({ outcome: 'not_found' });
      expect(await repository.cancel(stranger, T0)).toBeNull();
    });

    it('cancels an open verification, after which its code never works', async () => {
      const phone = newPhone();
      const { id } = await created(phone);
      expect((await repository.cancel(id, T0))?.status).toBe('canceled');
      expect(await check({ id }, 'hash-1')).toEqual({ outcome: 'not_found' });
      expect((await repository.cancel(id, T0))?.status).toBe('canceled');
    });

    it('keeps the cooldown after a cancel, so cancel cannot be used to send faster', async () => {
      const phone = newPhone();
      const { id } = await created(phone);
      await repository.cancel(id, T0);
      expect((await startFor(phone, { nowMs: T0 + 10_000 })).outcome).toBe('resend_too_soon');
      expect((await startFor(phone, { nowMs: T0 + 30_000 })).outcome).toBe('created');
    });

    it('starts a new verification right after an approval', async () => {
      const phone = newPhone();
      const first = await created(phone);
      await check({ id: first.id }, 'hash-1');
      const next = await created(phone, { nowMs: T0 + 2000 });
      expect(next.id).not.toBe(first.id);
      expect(await repository.find(first.id, T0 + 2000)).toBeNull();
    });

    it('clears the phone failures on success', async () => {
      const phone = newPhone();
      const limits = { phoneMaxFailures: 2 };
      const first = await created(phone, { phoneMaxFailures: 2 });
      await check({ id: first.id }, 'wrong', T0 + 1000, limits);
      await check({ id: first.id }, 'hash-1', T0 + 1000, limits);
      const second = await created(phone, { nowMs: T0 + 2000, phoneMaxFailures: 2 });
      expect(await check({ id: second.id }, 'wrong', T0 + 3000, limits)).toEqual({ outcome: 'wrong_code', attempts: 1, phone });
    });

    it('approves exactly once under 50 concurrent checks of the right code', async () => {
      const phone = newPhone();
      const { id } = await created(phone);
      const results = await Promise.all(Array.from({ length: 50 }, () => check({ id }, 'hash-1')));
      expect(results.filter((result) => result.outcome === 'approved')).toHaveLength(1);
      expect(results.filter((result) => result.outcome === 'not_found')).toHaveLength(49);
    });

    it('counts no more than the attempt cap under 50 concurrent wrong codes, on the verification and the phone', async () => {
      const phone = newPhone();
      const limits = { phoneMaxFailures: 6 };
      const { id } = await created(phone, limits);
      const results = await Promise.all(Array.from({ length: 50 }, () => check({ id }, 'wrong', T0 + 1000, limits)));
      expect(results.filter((result) => result.outcome === 'wrong_code')).toHaveLength(5);
      expect(results.filter((result) => result.outcome === 'max_attempts')).toHaveLength(45);
      // Exactly five failures reached the phone: one more is allowed, then the phone locks.
      const next = await created(phone, { nowMs: T0 + 301_000, ...limits });
      expect((await check({ id: next.id }, 'wrong', T0 + 302_000, limits)).outcome).toBe('wrong_code');
      expect((await check({ id: next.id }, 'hash-1', T0 + 302_000, limits)).outcome).toBe('phone_locked');
    });

    it('creates exactly one verification under 20 concurrent sends to one phone', async () => {
      const phone = newPhone();
      const results = await Promise.all(
        Array.from({ length: 20 }, () => startFor(phone, { newId: newVerificationId(tagger.tag(phone)) })),
      );
      expect(results.filter((result) => result.outcome === 'created')).toHaveLength(1);
      expect(results.filter((result) => result.outcome === 'resend_too_soon')).toHaveLength(19);
    });

    it('abandons a verification whose code was not delivered: no pending code, no cooldown', async () => {
      const phone = newPhone();
      const { id } = await created(phone);
      await repository.abandon(newVerificationId(tagger.tag(phone)), T0 + 1000);
      expect((await startFor(phone, { nowMs: T0 + 1000 })).outcome).toBe('resend_too_soon');
      await repository.abandon(id, T0 + 1000);
      expect((await repository.find(id, T0 + 1000))?.status).toBe('canceled');
      expect(await check({ id }, 'hash-1', T0 + 1000)).toEqual({ outcome: 'not_found' });
      const again = await startFor(phone, { nowMs: T0 + 1000 });
      expect(again.outcome).toBe('created');
    });

    it('undoes the send of a given moment only: canceled, cooldown lifted', async () => {
      const phone = newPhone();
      const { id } = await created(phone);
      await repository.abandonUnsent({ phone, sentAtMs: T0 + 1, resendCooldownSeconds: 30, countedLimits: [0, 1], nowMs: T0 + 1 });
      expect((await repository.find(id, T0))?.status).toBe('pending');
      await repository.abandonUnsent({ phone, sentAtMs: T0, resendCooldownSeconds: 30, countedLimits: [0, 1], nowMs: T0 });
      expect(await repository.find(id, T0)).toMatchObject({ status: 'canceled', resendAtMs: T0 });
      expect((await startFor(phone, { nowMs: T0 + 1000 })).outcome).toBe('created');
    });

    it('gives back the send an undone start counted, on every limit whose window is the same', async () => {
      const phone = newPhone();
      const limits = { resendCooldownSeconds: 0, sendLimits: [{ max: 2, windowSeconds: 3600 }] };
      expect((await startFor(phone, { ...limits, nowMs: T0 })).outcome).toBe('created');
      for (let undone = 0; undone < 3; undone += 1) {
        const nowMs = T0 + 1000 * (undone + 1);
        expect((await startFor(phone, { ...limits, nowMs })).outcome).toMatch(/^(created|resent)$/);
        await repository.abandonUnsent({ phone, sentAtMs: nowMs, resendCooldownSeconds: 0, countedLimits: [0], nowMs });
      }
      expect((await startFor(phone, { ...limits, nowMs: T0 + 10_000 })).outcome).toBe('created');
      expect(await startFor(phone, { ...limits, nowMs: T0 + 11_000 })).toEqual({ outcome: 'send_limited', retryAfterMs: 3600_000 - 11_000 });
    });

    it('gives back only the limits an undone start counted: another channel\'s cap keeps its count', async () => {
      const phone = newPhone();
      const sendLimits = [
        { max: 5, windowSeconds: 3600 },
        { max: 1, windowSeconds: 86400, channel: 'voice' as const },
      ];
      expect((await startFor(phone, { nowMs: T0, channel: 'voice', sendLimits, resendCooldownSeconds: 0 })).outcome).toBe('created');
      expect((await startFor(phone, { nowMs: T0 + 1000, channel: 'sms', sendLimits, resendCooldownSeconds: 0 })).outcome).toBe('resent');
      // The SMS start is undone: it counted on limit 0 only.
      await repository.abandonUnsent({ phone, sentAtMs: T0 + 1000, resendCooldownSeconds: 0, countedLimits: [0], nowMs: T0 + 1000 });
      expect(await startFor(phone, { nowMs: T0 + 2000, channel: 'voice', sendLimits, resendCooldownSeconds: 0 })).toEqual({
        outcome: 'send_limited',
        retryAfterMs: 86_400_000 - 2000,
      });
    });

    describe('scopes: a code works only for its purpose and session', () => {
      const stepUp = (sessionId: string, context = '{"action":"payment"}') => ({ purpose: 'step_up' as const, sessionId, context });

      it('keeps the purpose, the session and the context', async () => {
        const verification = await created(newPhone(), { scope: stepUp('ses_a') });
        expect(verification).toMatchObject({ purpose: 'step_up', sessionId: 'ses_a', context: '{"action":"payment"}' });
        expect(await repository.find(verification.id, T0)).toMatchObject({ purpose: 'step_up', sessionId: 'ses_a' });
      });

      it('does not find a step-up verification for a login (by id or by phone), nor for another session, counting no attempt', async () => {
        const phone = newPhone();
        const { id } = await created(phone, { scope: stepUp('ses_a') });
        expect(await check({ id }, 'hash-1')).toEqual({ outcome: 'not_found' });
        expect(await check({ phone }, 'hash-1')).toEqual({ outcome: 'not_found' });
        expect(await check({ id }, 'wrong', T0 + 1000, { scope: { purpose: 'step_up', sessionId: 'ses_b' } })).toEqual({ outcome: 'not_found' });
        expect(await check({ id }, 'hash-1', T0 + 1000, { scope: { purpose: 'phone_change', sessionId: 'ses_a' } })).toEqual({ outcome: 'not_found' });
        expect(await repository.find(id, T0 + 1000)).toMatchObject({ status: 'pending', attempts: 0 });
        expect(await check({ id }, 'hash-1', T0 + 1000, { scope: { purpose: 'step_up', sessionId: 'ses_a' } })).toMatchObject({
          outcome: 'approved',
          verification: { id, purpose: 'step_up', sessionId: 'ses_a', context: '{"action":"payment"}' },
        });
      });

      it('does not find a login verification for a step-up', async () => {
        const phone = newPhone();
        const { id } = await created(phone);
        expect(await check({ id }, 'hash-1', T0 + 1000, { scope: { purpose: 'step_up', sessionId: '' } })).toEqual({ outcome: 'not_found' });
        expect(await check({ id }, 'hash-1', T0 + 1000, { scope: { purpose: 'login', sessionId: '' } })).toMatchObject({ outcome: 'approved' });
      });

      it('resends under the same scope (same id and attempts, the new context), and replaces the verification under another', async () => {
        const phone = newPhone();
        const first = await created(phone, { scope: stepUp('ses_a') });
        expect((await check({ id: first.id }, 'wrong', T0 + 1000, { scope: stepUp('ses_a') })).outcome).toBe('wrong_code');
        const resent = await startFor(phone, { nowMs: T0 + 30_000, codeHash: 'hash-2', scope: stepUp('ses_a', '{"action":"transfer"}') });
        expect(resent).toMatchObject({ outcome: 'resent', verification: { id: first.id, attempts: 1, context: '{"action":"transfer"}' } });
        const otherSession = await startFor(phone, { nowMs: T0 + 60_000, codeHash: 'hash-3', newId: newVerificationId(tagger.tag(phone)), scope: stepUp('ses_b') });
        expect(otherSession).toMatchObject({ outcome: 'created', verification: { attempts: 0, sessionId: 'ses_b' } });
        const login = await startFor(phone, { nowMs: T0 + 90_000, codeHash: 'hash-4', newId: newVerificationId(tagger.tag(phone)) });
        expect(login).toMatchObject({ outcome: 'created', verification: { purpose: 'login', sessionId: '', context: '' } });
      });

      it('applies the cooldown across purposes: the phone gets one code at a time', async () => {
        const phone = newPhone();
        await created(phone);
        expect(await startFor(phone, { nowMs: T0 + 1000, newId: newVerificationId(tagger.tag(phone)), scope: stepUp('ses_a') })).toEqual({
          outcome: 'resend_too_soon',
          retryAfterMs: 29_000,
        });
      });
    });

    describe('charging a channel a send falls through to', () => {
      const sendLimits = [
        { max: 5, windowSeconds: 3600 },
        { max: 1, windowSeconds: 86400, channel: 'voice' as const },
      ];
      const charge = (id: string, nowMs: number, channel: 'sms' | 'voice' = 'voice', resendCooldownSeconds = 60) =>
        repository.chargeChannel({ id, channel, startedAtMs: T0, nowMs, resendCooldownSeconds, sendLimits });

      it('counts the channel\'s own cap, stretches the cooldown to the channel\'s, and records the channel', async () => {
        const phone = newPhone();
        const { id } = await created(phone, { channel: 'whatsapp', sendLimits });
        expect(await charge(id, T0 + 500)).toEqual({ outcome: 'charged', resendAtMs: T0 + 60_000 });
        expect(await repository.find(id, T0 + 500)).toMatchObject({ channel: 'voice', resendAtMs: T0 + 60_000 });
        // The call was counted: a second call today is refused, whatever channel the next send starts on.
        expect(await startFor(phone, { nowMs: T0 + 60_000, channel: 'voice', sendLimits })).toEqual({
          outcome: 'send_limited',
          retryAfterMs: 86_400_000 + 500 - 60_000,
        });
      });

      it('refuses, changing nothing, when the channel\'s cap is used up; a shorter cooldown never shortens the one set', async () => {
        const phone = newPhone();
        const first = await created(phone, { channel: 'voice', sendLimits, resendCooldownSeconds: 0 });
        expect((await startFor(phone, { nowMs: T0 + 1000, channel: 'whatsapp', sendLimits, codeHash: 'hash-2', resendCooldownSeconds: 30 })).outcome).toBe('resent');
        expect(await charge(first.id, T0 + 2000)).toEqual({ outcome: 'send_limited', retryAfterMs: 86_400_000 - 2000 });
        expect(await repository.find(first.id, T0 + 2000)).toMatchObject({ channel: 'whatsapp', resendAtMs: T0 + 31_000 });
        expect(await repository.chargeChannel({ id: first.id, channel: 'sms', startedAtMs: T0, nowMs: T0 + 2000, resendCooldownSeconds: 0, sendLimits })).toEqual({
          outcome: 'charged',
          resendAtMs: T0 + 31_000,
        });
      });

      it('leaves a verification that is no longer pending alone', async () => {
        const phone = newPhone();
        const { id } = await created(phone, { sendLimits });
        await repository.abandon(id, T0 + 100);
        expect(await charge(id, T0 + 200)).toEqual({ outcome: 'gone' });
        expect(await charge(newVerificationId(tagger.tag(newPhone())), T0 + 200)).toEqual({ outcome: 'gone' });
      });
    });

    describe('when the provider owns the code', () => {
      const providerOwned = async (phone: string) => {
        const verification = await created(phone);
        await repository.recordDispatch({ id: verification.id, channel: 'sms', provider: 'sinch-verification', providerRef: 'ref-1', providerOwnsCode: true, nowMs: T0 });
        return verification;
      };
      const settle = (id: string, verdict: 'approved' | 'rejected' | 'refund', nowMs = T0 + 1000) =>
        repository.settle({ id, verdict, nowMs, phoneFailureWindowSeconds: 86400, maxAttempts: 5 });

      it('records the provider and drops the digest, so a check reserves an attempt instead of comparing', async () => {
        const phone = newPhone();
        const { id } = await providerOwned(phone);
        expect(await repository.find(id, T0)).toMatchObject({ provider: 'sinch-verification', providerRef: 'ref-1', codeHash: '' });
        const reserved = await check({ id }, 'hash-1');
        expect(reserved).toMatchObject({ outcome: 'reserved', verification: { id, attempts: 1, providerRef: 'ref-1' } });
      });

      it('keeps the digest for a provider that only delivers', async () => {
        const phone = newPhone();
        const { id } = await created(phone);
        await repository.recordDispatch({ id, channel: 'sms', provider: 'sinch-sms', providerRef: 'batch-1', providerOwnsCode: false, nowMs: T0 });
        expect(await repository.find(id, T0)).toMatchObject({ provider: 'sinch-sms', providerRef: 'batch-1', codeHash: 'hash-1' });
        expect((await check({ id }, 'hash-1')).outcome).toBe('approved');
      });

      it('approves once: of two approved verdicts the second is not_found', async () => {
        const phone = newPhone();
        const { id } = await providerOwned(phone);
        await check({ id }, 'x');
        await check({ id }, 'x');
        const verdicts = await Promise.all([settle(id, 'approved'), settle(id, 'approved')]);
        expect(verdicts.map((verdict) => verdict.outcome).sort()).toEqual(['approved', 'not_found']);
        expect(await check({ id }, 'x')).toEqual({ outcome: 'not_found' });
      });

      it('counts a rejected code on the phone and refunds an attempt without a verdict', async () => {
        const phone = newPhone();
        const { id } = await providerOwned(phone);
        await check({ id }, 'x');
        expect(await settle(id, 'rejected')).toEqual({ outcome: 'wrong_code', attempts: 1, phone });
        await check({ id }, 'x');
        expect(await settle(id, 'refund')).toEqual({ outcome: 'refunded' });
        expect((await repository.find(id, T0))?.attempts).toBe(1);
        // One failure reached the phone: with a budget of 2, one more rejection locks it.
        await check({ id }, 'x', T0 + 2000, { phoneMaxFailures: 2 });
        await settle(id, 'rejected', T0 + 2000);
        expect((await check({ id }, 'x', T0 + 3000, { phoneMaxFailures: 2 })).outcome).toBe('phone_locked');
      });

      it('lets no more than the attempt cap reach the provider under 50 concurrent checks', async () => {
        const phone = newPhone();
        const { id } = await providerOwned(phone);
        const results = await Promise.all(Array.from({ length: 50 }, () => check({ id }, 'x')));
        expect(results.filter((result) => result.outcome === 'reserved')).toHaveLength(5);
      });
    });

    it('does not let an id carrying one phone\'s tag reach another phone', async () => {
      const victim = newPhone();
      const attacker = newPhone();
      const victims = await created(victim);
      const attackers = await created(attacker);
      // The attacker's tag with the victim's random part: the slot is the attacker's, the id is not.
      const forged = `${attackers.id.slice(0, 16)}${victims.id.slice(16)}`;
      expect(await check({ id: forged }, 'hash-1')).toEqual({ outcome: 'not_found' });
      expect((await repository.find(victims.id, T0))?.attempts).toBe(0);
      expect((await repository.find(attackers.id, T0))?.attempts).toBe(0);
    });

    describe('events', () => {
      /** The events recorded since the last read, about this verification. */
      const recordedFor = async (verificationId: string): Promise<SeenEvent[]> =>
        (await events.takeSeen()).filter((event) => event.data.verificationId === verificationId);
      const dispatch = (id: string, providerOwnsCode = false) =>
        repository.recordDispatch({ id, channel: 'whatsapp', provider: 'fake', providerRef: 'ref-1', providerOwnsCode, nowMs: T0 });

      it('records verification.sent with the dispatch, and nothing for a verification no longer pending', async () => {
        const phone = newPhone();
        const { id } = await created(phone);
        await dispatch(id);
        expect(await recordedFor(id)).toEqual([
          { type: 'verification.sent', data: { verificationId: id, channel: 'whatsapp', provider: 'fake', phone } },
        ]);
        await repository.cancel(id, T0);
        await events.take();
        await dispatch(id);
        expect(await recordedFor(id)).toEqual([]);
      });

      it('records verification.approved once for the right code, and nothing for a wrong one before the last attempt', async () => {
        const phone = newPhone();
        const { id } = await created(phone, { channel: 'voice' });
        expect(await check({ id }, 'wrong')).toMatchObject({ outcome: 'wrong_code' });
        expect(await recordedFor(id)).toEqual([]);
        expect(await check({ phone }, 'hash-1')).toMatchObject({ outcome: 'approved' });
        expect(await check({ id }, 'hash-1')).toEqual({ outcome: 'not_found' });
        expect(await recordedFor(id)).toEqual([
          { type: 'verification.approved', data: { verificationId: id, phone, channel: 'voice', purpose: 'login' } },
        ]);
      });

      it('records verification.failed once, at the wrong code that uses up the last attempt', async () => {
        const phone = newPhone();
        const { id } = await created(phone);
        const limits = { maxAttempts: 2 };
        expect(await check({ id }, 'wrong', T0 + 1000, limits)).toMatchObject({ outcome: 'wrong_code', attempts: 1 });
        expect(await recordedFor(id)).toEqual([]);
        expect(await check({ id }, 'wrong', T0 + 1000, limits)).toMatchObject({ outcome: 'wrong_code', attempts: 2 });
        expect(await check({ id }, 'hash-1', T0 + 1000, limits)).toMatchObject({ outcome: 'max_attempts' });
        expect(await recordedFor(id)).toEqual([{ type: 'verification.failed', data: { verificationId: id, phone, attempts: 2 } }]);
      });

      it('records verification.canceled when a pending verification is canceled, not again', async () => {
        const phone = newPhone();
        const { id } = await created(phone);
        await repository.cancel(id, T0);
        await repository.cancel(id, T0);
        expect(await recordedFor(id)).toEqual([{ type: 'verification.canceled', data: { verificationId: id, phone } }]);
      });

      it('records the provider\'s approval once, and its rejection of the last attempt as verification.failed once', async () => {
        const settle = (id: string, verdict: 'approved' | 'rejected') =>
          repository.settle({ id, verdict, nowMs: T0 + 1000, phoneFailureWindowSeconds: 86400, maxAttempts: 2 });
        const approvedPhone = newPhone();
        const approved = await created(approvedPhone);
        await dispatch(approved.id, true);
        await events.take();
        expect(await check({ id: approved.id }, 'any')).toMatchObject({ outcome: 'reserved' });
        expect(await settle(approved.id, 'approved')).toMatchObject({ outcome: 'approved' });
        expect(await settle(approved.id, 'approved')).toEqual({ outcome: 'not_found' });
        expect(await recordedFor(approved.id)).toEqual([
          { type: 'verification.approved', data: { verificationId: approved.id, phone: approvedPhone, channel: 'whatsapp', purpose: 'login' } },
        ]);

        const rejectedPhone = newPhone();
        const rejected = await created(rejectedPhone);
        await dispatch(rejected.id, true);
        await events.take();
        await check({ id: rejected.id }, 'any');
        expect(await settle(rejected.id, 'rejected')).toMatchObject({ outcome: 'wrong_code', attempts: 1 });
        expect(await recordedFor(rejected.id)).toEqual([]);
        // Two attempts reserved at once, both rejected: the verification fails once.
        await check({ id: rejected.id }, 'any', T0 + 1000, { maxAttempts: 2 });
        await settle(rejected.id, 'rejected');
        await settle(rejected.id, 'rejected');
        expect(await recordedFor(rejected.id)).toEqual([{ type: 'verification.failed', data: { verificationId: rejected.id, phone: rejectedPhone, attempts: 2 } }]);
      });
    });
  });
}

import { randomBytes } from 'node:crypto';
import { FraudRepository, PrefixBlock } from '../../src/throttling/fraud.repository.js';
import { InMemoryFraudRepository } from '../../src/throttling/in-memory-fraud.repository.js';
import { RedisFraudRepository } from '../../src/throttling/redis-fraud.repository.js';
import type { RecordedEvents } from '../support/recorded-events.js';
import { type Contract, CONTRACT_KEYS, onEveryStore, scriptsFor } from './every-store.js';

const HOUR_MS = 3_600_000;
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const POLICY = { windowMs: HOUR_MS, minSends: 4, minConversion: 0.5, blockMs: 12 * HOUR_MS, renewMinAttempts: 3 };

const fraudRepositoryContract: Contract<FraudRepository> = (adapter, setup) => {
  describe(`FraudRepository contract: ${adapter}`, () => {
    let repository: FraudRepository;
    let teardown: (() => Promise<void>) | undefined;
    let events: RecordedEvents;
    beforeAll(async () => {
      ({ repository, events, teardown } = await setup());
    });
    afterAll(async () => teardown?.());
    // Each test its own prefix and country: the stores are shared by the adapters' runs.
    const newPrefix = () => `+9198${randomBytes(3).readUIntBE(0, 3) % 10_000_000}`;
    const blocked = (prefix: string, nowMs: number) => repository.checkPrefix(prefix, POLICY, nowMs);
    const listed = async (prefix: string, nowMs: number) => (await repository.listedBlocks(nowMs)).filter((block) => block.prefix === prefix);
    /** Four sends, one verified (25 % < 50 %): trips at the fourth. */
    const trip = async (prefix: string, nowMs: number): Promise<PrefixBlock | null> => {
      await repository.recordSend(prefix, POLICY, nowMs);
      await repository.recordVerified(prefix, POLICY, nowMs);
      await repository.recordSend(prefix, POLICY, nowMs);
      await repository.recordSend(prefix, POLICY, nowMs);
      return repository.recordSend(prefix, POLICY, nowMs);
    };

    it('spends a country budget per clock hour', async () => {
      const country = `X${randomBytes(1).toString('hex').slice(0, 1).toUpperCase()}${randomBytes(2).toString('hex')}`;
      expect(await repository.takeCountryBudget(country, 2, T0)).toBe(0);
      expect(await repository.takeCountryBudget(country, 2, T0)).toBe(0);
      expect(await repository.takeCountryBudget(country, 2, T0 + 1000)).toBe(HOUR_MS - 1000);
      expect(await repository.takeCountryBudget(country, 2, T0 + HOUR_MS)).toBe(0);
    });

    it('trips a prefix whose sends are not verified, reports what tripped it, and lets it recover after the block', async () => {
      const prefix = newPrefix();
      await repository.recordSend(prefix, POLICY, T0);
      await repository.recordVerified(prefix, POLICY, T0);
      expect(await repository.recordSend(prefix, POLICY, T0)).toBeNull();
      expect(await repository.recordSend(prefix, POLICY, T0)).toBeNull();
      expect(await repository.recordSend(prefix, POLICY, T0)).toEqual({ prefix, sinceMs: T0, untilMs: T0 + 12 * HOUR_MS, sends: 4, verified: 1, renewals: 0 });
      expect(await blocked(prefix, T0 + 1000)).toEqual({ blockedForMs: 12 * HOUR_MS - 1000 });
      expect(await blocked(prefix, T0 + 12 * HOUR_MS)).toEqual({ blockedForMs: 0 });
      expect(await repository.recordSend(prefix, POLICY, T0 + 12 * HOUR_MS)).toBeNull();
    });

    it('does not trip a prefix whose codes are verified', async () => {
      const prefix = newPrefix();
      for (let send = 0; send < 10; send += 1) {
        expect(await repository.recordSend(prefix, POLICY, T0)).toBeNull();
        await repository.recordVerified(prefix, POLICY, T0);
      }
      expect(await blocked(prefix, T0)).toEqual({ blockedForMs: 0 });
    });

    it('forgets sends older than the window', async () => {
      const prefix = newPrefix();
      for (let send = 0; send < 3; send += 1) await repository.recordSend(prefix, POLICY, T0);
      expect(await repository.recordSend(prefix, POLICY, T0 + HOUR_MS + 1)).toBeNull();
    });

    it('does not trip again, nor move the block, while the prefix is blocked', async () => {
      const prefix = newPrefix();
      await trip(prefix, T0);
      expect(await repository.recordSend(prefix, POLICY, T0 + HOUR_MS / 2)).toBeNull();
      expect(await blocked(prefix, T0 + HOUR_MS / 2)).toEqual({ blockedForMs: 11.5 * HOUR_MS });
    });

    it('renews a block when attempts kept coming during it and none converted, keeping its start', async () => {
      const prefix = newPrefix();
      await trip(prefix, T0);
      for (let attempt = 1; attempt <= 3; attempt += 1) await blocked(prefix, T0 + attempt * HOUR_MS);
      const end = T0 + 12 * HOUR_MS;
      expect(await blocked(prefix, end + 5000)).toEqual({
        blockedForMs: 12 * HOUR_MS,
        renewed: { prefix, sinceMs: T0, untilMs: end + 5000 + 12 * HOUR_MS, sends: 3, verified: 0, renewals: 1 },
      });
      expect(await blocked(prefix, end + 6000)).toEqual({ blockedForMs: 12 * HOUR_MS - 1000 });
    });

    it('forgets a block whose end is a window or more ago, however many attempts it took', async () => {
      const prefix = newPrefix();
      await trip(prefix, T0);
      for (let attempt = 1; attempt <= 3; attempt += 1) await blocked(prefix, T0 + attempt * HOUR_MS);
      expect(await blocked(prefix, T0 + 12 * HOUR_MS + POLICY.windowMs)).toEqual({ blockedForMs: 0 });
      expect(await blocked(prefix, T0 + 12 * HOUR_MS + POLICY.windowMs + 1)).toEqual({ blockedForMs: 0 });
    });

    it('lets a block end when too few attempts came during it', async () => {
      const prefix = newPrefix();
      await trip(prefix, T0);
      await blocked(prefix, T0 + HOUR_MS);
      await blocked(prefix, T0 + 2 * HOUR_MS);
      expect(await blocked(prefix, T0 + 12 * HOUR_MS)).toEqual({ blockedForMs: 0 });
      expect(await blocked(prefix, T0 + 12 * HOUR_MS + 1)).toEqual({ blockedForMs: 0 });
    });

    it('lets a block end when the attempts during it converted', async () => {
      const prefix = newPrefix();
      await trip(prefix, T0);
      for (let attempt = 1; attempt <= 4; attempt += 1) {
        await blocked(prefix, T0 + attempt * HOUR_MS);
        if (attempt % 2 === 0) await repository.recordVerified(prefix, POLICY, T0 + attempt * HOUR_MS);
      }
      expect(await blocked(prefix, T0 + 12 * HOUR_MS)).toEqual({ blockedForMs: 0 });
    });

    it('lists blocks, replaces a relisted one, and drops ended ones', async () => {
      const [first, second] = [newPrefix(), newPrefix()];
      const block = (prefix: string, untilMs: number): PrefixBlock => ({ prefix, sinceMs: T0, untilMs, sends: 20, verified: 1, renewals: 0 });
      await repository.listBlock(block(first, T0 + 2 * HOUR_MS), T0);
      await repository.listBlock(block(second, T0 + HOUR_MS), T0);
      const mine = async (nowMs: number) => (await repository.listedBlocks(nowMs)).filter((listed) => [first, second].includes(listed.prefix));
      expect(await mine(T0)).toEqual([block(second, T0 + HOUR_MS), block(first, T0 + 2 * HOUR_MS)]);
      await repository.listBlock({ ...block(second, T0 + 3 * HOUR_MS), renewals: 1 }, T0);
      expect(await mine(T0)).toEqual([block(first, T0 + 2 * HOUR_MS), { ...block(second, T0 + 3 * HOUR_MS), renewals: 1 }]);
      expect(await mine(T0 + 2 * HOUR_MS)).toEqual([{ ...block(second, T0 + 3 * HOUR_MS), renewals: 1 }]);
      expect(await mine(T0)).toEqual([{ ...block(second, T0 + 3 * HOUR_MS), renewals: 1 }]);
    });

    it('lifts a block: off the list, sends pass, and its counters start again', async () => {
      const prefix = newPrefix();
      const block = await trip(prefix, T0);
      await repository.listBlock(block!, T0);
      expect(await repository.liftBlock(prefix, T0 + 1000)).toBe(true);
      expect(await listed(prefix, T0 + 1000)).toEqual([]);
      expect(await blocked(prefix, T0 + 1000)).toEqual({ blockedForMs: 0 });
      // The four sends that tripped it are forgotten: three more do not trip it.
      for (let send = 0; send < 3; send += 1) expect(await repository.recordSend(prefix, POLICY, T0 + 2000)).toBeNull();
    });

    it('answers false when lifting a prefix that is not blocked, or whose block ended', async () => {
      const prefix = newPrefix();
      expect(await repository.liftBlock(prefix, T0)).toBe(false);
      await trip(prefix, T0);
      expect(await repository.liftBlock(prefix, T0 + 12 * HOUR_MS)).toBe(false);
    });

    it('records fraud.blocked when the breaker trips and when a block renews, and nothing for a send that does not trip it', async () => {
      const prefix = newPrefix();
      const ofPrefix = async () => (await events.takeSeen()).filter((event) => event.data.prefix === prefix);
      await repository.recordSend(prefix, POLICY, T0);
      await repository.recordVerified(prefix, POLICY, T0);
      await repository.recordSend(prefix, POLICY, T0);
      expect(await ofPrefix()).toEqual([]);
      await repository.recordSend(prefix, POLICY, T0);
      await repository.recordSend(prefix, POLICY, T0);
      await repository.recordSend(prefix, POLICY, T0 + 1000);
      expect(await ofPrefix()).toEqual([
        { type: 'fraud.blocked', data: { prefix, reason: 'breaker', sinceMs: T0, untilMs: T0 + 12 * HOUR_MS, sends: 4, verified: 1, renewals: 0 } },
      ]);
      for (const atMs of [T0 + 1000, T0 + 2000, T0 + 3000]) await blocked(prefix, atMs);
      const end = T0 + 12 * HOUR_MS;
      expect(await blocked(prefix, end)).toMatchObject({ renewed: { renewals: 1 } });
      expect(await blocked(prefix, end + 1000)).toMatchObject({ blockedForMs: 12 * HOUR_MS - 1000 });
      expect(await ofPrefix()).toEqual([
        { type: 'fraud.blocked', data: { prefix, reason: 'renewal', sinceMs: T0, untilMs: end + 12 * HOUR_MS, sends: 3, verified: 0, renewals: 1 } },
      ]);
    });
  });
};

onEveryStore(fraudRepositoryContract, (redis, events) => (redis ? new RedisFraudRepository(redis, scriptsFor(redis), CONTRACT_KEYS, events) : new InMemoryFraudRepository(events)));

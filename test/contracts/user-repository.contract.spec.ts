import { randomBytes } from 'node:crypto';
import { DomainError } from '../../src/common/errors/domain.error.js';
import { InMemoryUserRepository } from '../../src/sessions/in-memory-user.repository.js';
import { RedisUserRepository } from '../../src/sessions/redis-user.repository.js';
import { UserRepository } from '../../src/sessions/user.repository.js';
import type { RecordedEvents } from '../support/recorded-events.js';
import { type Contract, CONTRACT_KEYS, onEveryStore, randomPhone, scriptsFor } from './every-store.js';

const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);
const HOUR_MS = 3_600_000;

const userRepositoryContract: Contract<UserRepository> = (adapter, setup) => {
  describe(`UserRepository contract: ${adapter}`, () => {
    let repository: UserRepository;
    let teardown: (() => Promise<void>) | undefined;
    let events: RecordedEvents;
    beforeAll(async () => {
      ({ repository, events, teardown } = await setup());
    });
    afterAll(async () => teardown?.());
    const newPhone = randomPhone;
    const newId = () => `usr_${randomBytes(16).toString('base64url')}`;

    /** A user as a verify makes one: the phone index, then the login recorded beside the session. */
    async function loggedIn(phone = newPhone(), atMs = T0): Promise<{ id: string; phone: string }> {
      const id = await repository.findOrCreate(phone, newId());
      expect(await repository.recordLogin(id, phone, atMs)).toBe('recorded');
      return { id, phone };
    }

    it('creates the phone\'s id on first use and returns it ever after', async () => {
      const phone = newPhone();
      expect(await repository.findOrCreate(phone, 'usr_first')).toBe('usr_first');
      expect(await repository.findOrCreate(phone, 'usr_second')).toBe('usr_first');
      expect(await repository.findOrCreate(newPhone(), 'usr_other')).toBe('usr_other');
    });

    it('gives one id to a phone under 20 concurrent first uses', async () => {
      const phone = newPhone();
      const ids = await Promise.all(Array.from({ length: 20 }, (_, n) => repository.findOrCreate(phone, `usr_${n}`)));
      expect(new Set(ids).size).toBe(1);
      expect(await repository.findOrCreate(phone, 'usr_late')).toBe(ids[0]);
    });

    it('writes the record at the first login and stamps each later one', async () => {
      const { id, phone } = await loggedIn();
      expect(await repository.find(id, T0)).toEqual({ id, phone, createdAtMs: T0, lastLoginAtMs: T0, ban: null });
      expect(await repository.recordLogin(id, phone, T0 + HOUR_MS)).toBe('recorded');
      expect(await repository.find(id, T0 + HOUR_MS)).toMatchObject({ createdAtMs: T0, lastLoginAtMs: T0 + HOUR_MS });
      expect(await repository.findByPhone(phone, T0)).toMatchObject({ id, phone });
    });

    it('knows no record of an unknown user or number', async () => {
      expect(await repository.find(newId(), T0)).toBeNull();
      expect(await repository.findByPhone(newPhone(), T0)).toBeNull();
      expect(await repository.ban(newId(), { sinceMs: T0, untilMs: null, reason: 'x' })).toBeNull();
      expect(await repository.unban(newId(), T0)).toBeNull();
      expect(await repository.erase(newId(), T0)).toBeNull();
      expect(await repository.changePhone(newId(), newPhone(), T0)).toEqual({ outcome: 'not_found' });
    });

    it('gives a user whose phone index predates records a record when looked up by number', async () => {
      const phone = newPhone();
      const id = await repository.findOrCreate(phone, newId());
      expect(await repository.find(id, T0)).toBeNull();
      expect(await repository.findByPhone(phone, T0)).toEqual({ id, phone, createdAtMs: null, lastLoginAtMs: null, ban: null });
      expect(await repository.find(id, T0)).toEqual({ id, phone, createdAtMs: null, lastLoginAtMs: null, ban: null });
    });

    it('refuses the logins of a banned user until the ban ends or is lifted', async () => {
      const { id, phone } = await loggedIn();
      const ban = { sinceMs: T0 + 1, untilMs: T0 + HOUR_MS, reason: 'chargebacks' };
      expect(await repository.ban(id, ban)).toMatchObject({ id, ban });
      expect(await repository.recordLogin(id, phone, T0 + 2)).toBe('banned');
      expect(await repository.find(id, T0 + 2)).toMatchObject({ lastLoginAtMs: T0, ban });
      // The ban ends by itself.
      expect(await repository.find(id, T0 + HOUR_MS)).toMatchObject({ ban: null });
      expect(await repository.recordLogin(id, phone, T0 + HOUR_MS)).toBe('recorded');

      const forever = { sinceMs: T0 + HOUR_MS + 1, untilMs: null, reason: 'fraud' };
      expect(await repository.ban(id, forever)).toMatchObject({ ban: forever });
      expect(await repository.recordLogin(id, phone, T0 + 1000 * HOUR_MS)).toBe('banned');
      expect(await repository.unban(id, T0 + 1000 * HOUR_MS)).toMatchObject({ id, ban: null });
      expect(await repository.recordLogin(id, phone, T0 + 1000 * HOUR_MS)).toBe('recorded');
    });

    it('erases a user: no record, no index; the number\'s next login makes a new user', async () => {
      const { id, phone } = await loggedIn();
      expect(await repository.erase(id, T0 + 1)).toMatchObject({ id, phone });
      expect(await repository.find(id, T0 + 1)).toBeNull();
      expect(await repository.findByPhone(phone, T0 + 1)).toBeNull();
      expect(await repository.erase(id, T0 + 2)).toBeNull();
      expect(await repository.ban(id, { sinceMs: T0 + 2, untilMs: null, reason: 'x' })).toBeNull();
      // A login of the erased id still in flight learns of the erasure and writes nothing.
      expect(await repository.recordLogin(id, phone, T0 + 3)).toBe('erased');
      expect(await repository.find(id, T0 + 3)).toBeNull();
      const next = await repository.findOrCreate(phone, newId());
      expect(next).not.toBe(id);
    });

    /** The adapter itself, one step of erase failing once as a store failover would. */
    function failingOnce(step: 'releasePhone' | 'tombstone'): UserRepository {
      const failing = Object.create(repository) as UserRepository;
      failing[step] = async () => {
        delete (failing as Partial<UserRepository>)[step];
        throw new DomainError('store_unavailable', 'The store is unavailable.');
      };
      return failing;
    }

    it('erases the index before the record: a stop after it leaves a live record, and erasing again completes it', async () => {
      const { id, phone } = await loggedIn();
      const failing = failingOnce('tombstone');
      await expect(failing.erase(id, T0 + 1)).rejects.toMatchObject({ code: 'store_unavailable' });
      expect(await repository.find(id, T0 + 1)).toMatchObject({ id, phone });
      expect(await repository.findByPhone(phone, T0 + 1)).toBeNull();
      expect(await failing.erase(id, T0 + 2)).toMatchObject({ id, phone });
      expect(await repository.find(id, T0 + 2)).toBeNull();
      expect(await repository.recordLogin(id, phone, T0 + 3)).toBe('erased');
      expect(await repository.findOrCreate(phone, newId())).not.toBe(id);
    });

    it('changes nothing when the index removal fails, and erasing again completes it', async () => {
      const { id, phone } = await loggedIn();
      const failing = failingOnce('releasePhone');
      await expect(failing.erase(id, T0 + 1)).rejects.toMatchObject({ code: 'store_unavailable' });
      expect(await repository.findByPhone(phone, T0 + 1)).toMatchObject({ id, phone });
      expect(await failing.erase(id, T0 + 2)).toMatchObject({ id, phone });
      expect(await repository.find(id, T0 + 2)).toBeNull();
      expect(await repository.findByPhone(phone, T0 + 2)).toBeNull();
    });

    it('leaves the number\'s index alone when it already names another user at erasure', async () => {
      const { id, phone } = await loggedIn();
      const other = newPhone();
      expect(await repository.changePhone(id, other, T0)).toEqual({ outcome: 'changed', previousPhone: phone });
      const successor = await loggedIn(phone);
      expect(await repository.erase(id, T0 + 1)).toMatchObject({ id, phone: other });
      expect(await repository.findByPhone(phone, T0 + 1)).toMatchObject({ id: successor.id });
      expect(await repository.findByPhone(other, T0 + 1)).toBeNull();
    });

    it('moves a user to a free number, keeping the id; the old number is free after', async () => {
      const { id, phone } = await loggedIn();
      const next = newPhone();
      expect(await repository.changePhone(id, next, T0)).toEqual({ outcome: 'changed', previousPhone: phone });
      expect(await repository.find(id, T0)).toMatchObject({ id, phone: next, createdAtMs: T0 });
      expect(await repository.findByPhone(next, T0)).toMatchObject({ id });
      expect(await repository.findByPhone(phone, T0)).toBeNull();
      expect(await repository.findOrCreate(next, newId())).toBe(id);
      expect(await repository.changePhone(id, next, T0)).toEqual({ outcome: 'changed', previousPhone: next });
    });

    it('refuses a number another user holds, changing nothing', async () => {
      const mine = await loggedIn();
      const theirs = await loggedIn();
      expect(await repository.changePhone(mine.id, theirs.phone, T0)).toEqual({ outcome: 'phone_in_use' });
      expect(await repository.find(mine.id, T0)).toMatchObject({ phone: mine.phone });
      expect(await repository.findByPhone(mine.phone, T0)).toMatchObject({ id: mine.id });
      expect(await repository.findByPhone(theirs.phone, T0)).toMatchObject({ id: theirs.id });
    });

    describe('a phone change that stops halfway (the steps of changePhone in isolation)', () => {
      /** What a login with `phone` would do: the index's user, and what recording the login answers. */
      const loginWith = async (phone: string) => {
        const id = await repository.findOrCreate(phone, newId());
        return { id, recorded: await repository.recordLogin(id, phone, T0 + 1000) };
      };

      it('after the claim only: the old number still logs in; the new one finds the index stale and, released, makes a new user', async () => {
        const { id, phone } = await loggedIn();
        const next = newPhone();
        expect(await repository.claimPhone(id, next)).toBe(true);
        expect(await loginWith(phone)).toEqual({ id, recorded: 'recorded' });
        expect(await loginWith(next)).toEqual({ id, recorded: 'moved' });
        await repository.releasePhone(next, id);
        const stranger = await loginWith(next);
        expect(stranger.id).not.toBe(id);
        expect(stranger.recorded).toBe('recorded');
        expect(await repository.find(id, T0)).toMatchObject({ phone });
      });

      it('after the record moved: the new number logs in as the user; the old one is stale and, released, makes a new user', async () => {
        const { id, phone } = await loggedIn();
        const next = newPhone();
        expect(await repository.claimPhone(id, next)).toBe(true);
        expect(await repository.setPhone(id, next, T0)).toBe(phone);
        expect(await loginWith(next)).toEqual({ id, recorded: 'recorded' });
        expect(await loginWith(phone)).toEqual({ id, recorded: 'moved' });
        await repository.releasePhone(phone, id);
        const stranger = await loginWith(phone);
        expect(stranger.id).not.toBe(id);
        expect(stranger.recorded).toBe('recorded');
      });

      it('finds no user by a number whose index is stale: the record names another number', async () => {
        const { id, phone } = await loggedIn();
        const next = newPhone();
        expect(await repository.claimPhone(id, next)).toBe(true);
        // After the claim only: the new number's index names the user, the record the old number.
        expect(await repository.findByPhone(next, T0)).toBeNull();
        expect(await repository.findByPhone(phone, T0)).toMatchObject({ id, phone });
        expect(await repository.setPhone(id, next, T0)).toBe(phone);
        // After the record moved: the old number's index is the stale one.
        expect(await repository.findByPhone(phone, T0)).toBeNull();
        expect(await repository.findByPhone(next, T0)).toMatchObject({ id, phone: next });
      });

      it('completes when run again after a stop, and releases only an index that names the user', async () => {
        const { id, phone } = await loggedIn();
        const next = newPhone();
        expect(await repository.claimPhone(id, next)).toBe(true);
        expect(await repository.changePhone(id, next, T0)).toEqual({ outcome: 'changed', previousPhone: phone });
        expect(await repository.findOrCreate(phone, 'usr_newcomer')).toBe('usr_newcomer');
        await repository.releasePhone(phone, id);
        expect(await repository.findOrCreate(phone, newId())).toBe('usr_newcomer');
        expect(await repository.claimPhone(newId(), next)).toBe(false);
        expect(await repository.setPhone(newId(), next, T0)).toBeNull();
      });
    });

    it('does not move a user banned while the change was under way: the claimed number goes back', async () => {
      const { id, phone } = await loggedIn();
      const next = newPhone();
      expect(await repository.claimPhone(id, next)).toBe(true);
      await repository.ban(id, { sinceMs: T0, untilMs: null, reason: 'raced' });
      expect(await repository.setPhone(id, next, T0)).toBeNull();
      expect(await repository.changePhone(id, next, T0)).toEqual({ outcome: 'not_found' });
      expect(await repository.find(id, T0)).toMatchObject({ phone, ban: { untilMs: null } });
      expect(await repository.findOrCreate(next, 'usr_newcomer')).toBe('usr_newcomer');
    });

    it('moves a user whose ban has ended', async () => {
      const { id, phone } = await loggedIn();
      await repository.ban(id, { sinceMs: T0, untilMs: T0 + 1000, reason: 'short' });
      expect(await repository.changePhone(id, newPhone(), T0 + 1000)).toEqual({ outcome: 'changed', previousPhone: phone });
    });

    it('gives a free number to one of two users moving to it at once', async () => {
      const [first, second] = [await loggedIn(), await loggedIn()];
      const wanted = newPhone();
      const outcomes = await Promise.all([repository.changePhone(first.id, wanted, T0), repository.changePhone(second.id, wanted, T0)]);
      expect(outcomes.map((change) => change.outcome).sort()).toEqual(['changed', 'phone_in_use']);
      const owner = (await repository.findByPhone(wanted, T0))?.id;
      expect([first.id, second.id]).toContain(owner);
    });

    it('records user.created once, when the phone first gets an id, and not for a claim of a number by an existing user', async () => {
      const phone = newPhone();
      const ids = await Promise.all(Array.from({ length: 5 }, () => repository.findOrCreate(phone, newId())));
      expect(await repository.findOrCreate(phone, newId())).toBe(ids[0]);
      const moved = await loggedIn();
      const claimed = newPhone();
      expect(await repository.claimPhone(moved.id, claimed)).toBe(true);
      const recorded = (await events.takeSeen()).filter((event) => [phone, claimed].includes(String(event.data.phone)));
      expect(recorded).toEqual([{ type: 'user.created', data: { userId: ids[0], phone } }]);
    });
  });
};

onEveryStore(userRepositoryContract, (redis, events) =>
  redis ? new RedisUserRepository(redis, scriptsFor(redis), CONTRACT_KEYS, events) : new InMemoryUserRepository(events),
);

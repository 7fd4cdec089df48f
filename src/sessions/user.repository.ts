/** An operator's ban of a user: logins end at `sinceMs` and are refused until `untilMs` (null: until lifted). */
export interface UserBan {
  sinceMs: number;
  untilMs: number | null;
  reason: string;
}

/** A user as the store keeps it. The user's sessions are counted from the session index, not here. */
export interface UserRecord {
  id: string;
  /** E.164. */
  phone: string;
  /** The first login (the record is written with the first session); null for a user whose phone index predates user records. */
  createdAtMs: number | null;
  lastLoginAtMs: number | null;
  /** The ban in force at the time asked, or null (an expired ban reads as none). */
  ban: UserBan | null;
}

/** What a login found on its user, the session already written beside it. */
export type LoginRecorded =
  | 'recorded'
  /** A ban in force: the caller ends the session it just wrote. */
  | 'banned'
  /** The user was erased while this login was in flight: the caller ends the session. */
  | 'erased'
  /**
   * The user's record names another number: the index that led here is stale (a phone change that
   * stopped halfway). Nothing written; the caller ends the session, releases the index and retries.
   */
  | 'moved';

export type PhoneChange =
  | { outcome: 'changed'; previousPhone: string }
  /** Another user holds the new number; nothing changed. */
  | { outcome: 'phone_in_use' }
  /** No such user (or erased); nothing changed. */
  | { outcome: 'not_found' };

/**
 * Users: the stable id of each phone number (the phone index, created on its first successful
 * verification) and the user's record (phone, first and last login, ban). The index and the
 * record sit in different slots (the phone's tag, the user id's tag); each method is atomic on
 * each of them. An erased user leaves a tombstone for `ERASED_TOMBSTONE_SECONDS` (only the id
 * and the erasure time), so a login in flight during the erasure learns of it.
 */
export abstract class UserRepository {
  /** How long an erased user's tombstone stays: far longer than any login takes. */
  static readonly ERASED_TOMBSTONE_SECONDS = 86_400;

  /** The phone's user id; `newId` becomes it if the phone has none yet (first writer wins; recorded as `user.created`). */
  abstract findOrCreate(phone: string, newId: string): Promise<string>;

  /**
   * Records a login of the user, its session already written: creates the record
   * at the first one (`phone`, `createdAtMs` = `nowMs`), sets `lastLoginAtMs` on every one.
   * A banned (ban in force at `nowMs`) or erased user is reported and not written, and so is a
   * user whose record names another number than `phone` (`moved`).
   */
  abstract recordLogin(userId: string, phone: string, nowMs: number): Promise<LoginRecorded>;

  /** The user's record, its ban as of `nowMs`; null for an unknown or erased user. */
  abstract find(userId: string, nowMs: number): Promise<UserRecord | null>;

  /**
   * The record of the user the phone's index names, its ban as of `nowMs`; null if the index
   * names none, or a user whose record names another number (a stale index: a phone change that
   * stopped halfway; the number is not that user's). A user whose index predates user records
   * gets a record then (the phone alone, no login times), so it can be banned and erased by id.
   */
  abstract findByPhone(phone: string, nowMs: number): Promise<UserRecord | null>;

  /** Sets (or replaces) the user's ban; returns the record with it, or null for an unknown user. */
  abstract ban(userId: string, ban: UserBan): Promise<UserRecord | null>;

  /** Removes the user's ban, if any; returns the record, or null for an unknown user. */
  abstract unban(userId: string, nowMs: number): Promise<UserRecord | null>;

  /**
   * Erases the user: the phone index is removed if it still names this user (so the number's next
   * login creates a new id), then the record becomes a tombstone. Two steps in two slots, in this
   * order so that a stop between them leaves a live record and running the erasure again redoes
   * both (a tombstone first would hide the number whose index is left). Returns what was erased,
   * or null for an unknown (or already erased) user. The user's sessions are the session
   * repository's to end.
   */
  async erase(userId: string, nowMs: number): Promise<UserRecord | null> {
    const record = await this.find(userId, nowMs);
    if (record === null) return null;
    await this.releasePhone(record.phone, userId);
    const erased = await this.tombstone(userId, nowMs);
    // A phone change that landed in between: its number's index goes too.
    if (erased !== null && erased.phone !== record.phone) await this.releasePhone(erased.phone, userId);
    return erased;
  }

  /** Step 2 of erase: the record becomes a tombstone; returns it as it was, or null for an unknown or erased user. */
  abstract tombstone(userId: string, nowMs: number): Promise<UserRecord | null>;

  /**
   * Moves the user to `newPhone`, keeping the id. The two indexes and the record sit in three
   * slots, so no one script can do it on a Cluster; three steps instead, each atomic on its slot:
   *   1. claimPhone: the new number's index names the user (SET NX; refused if another user holds it);
   *   2. setPhone: the record names the new number (this is the instant of the change);
   *   3. releasePhone: the old number's index is removed if it still names the user (compare and delete).
   * The record is the truth, and a login checks it right after writing its session
   * (recordLogin answers `moved` when the record names another number). So a stop after 1 leaves
   * the new index stale (a login with the new number finds `moved`, releases it and becomes a new
   * user: the change is rolled back), and a stop after 2 leaves the old index stale (a login with
   * the old number releases it and becomes a new user: the change is complete). At no point does
   * a number the user does not have log in as the user. Running the change again completes it.
   */
  async changePhone(userId: string, newPhone: string, nowMs: number): Promise<PhoneChange> {
    if ((await this.find(userId, nowMs)) === null) return { outcome: 'not_found' };
    if (!(await this.claimPhone(userId, newPhone))) return { outcome: 'phone_in_use' };
    const previousPhone = await this.setPhone(userId, newPhone, nowMs);
    if (previousPhone === null) {
      // Erased or banned in between: give the claimed number back.
      await this.releasePhone(newPhone, userId);
      return { outcome: 'not_found' };
    }
    if (previousPhone !== newPhone) await this.releasePhone(previousPhone, userId);
    return { outcome: 'changed', previousPhone };
  }

  /** Step 1 of changePhone: the number's index names the user unless another user holds it (then false). */
  abstract claimPhone(userId: string, phone: string): Promise<boolean>;

  /**
   * Step 2 of changePhone: the record names `phone`; returns the number it named before, or null
   * for no such (or an erased) user, or one with a ban in force at `nowMs` (a ban set during the
   * change put its marker on the number the record named: the user must stay on it).
   */
  abstract setPhone(userId: string, phone: string, nowMs: number): Promise<string | null>;

  /** Step 3 of changePhone (and the repair of a stale index): removes the number's index only if it names the user. */
  abstract releasePhone(phone: string, userId: string): Promise<void>;
}

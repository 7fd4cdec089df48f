/** The stable user id of each phone number, created on its first successful verification. */
export abstract class UserRepository {
  /** The phone's user id; `newId` becomes it if the phone has none yet (first writer wins). */
  abstract findOrCreate(phone: string, newId: string): Promise<string>;
}

/**
 * Whether a code may go out to a phone, and what the abuse rules learn from each send and each
 * verified code. Refusals are DomainErrors (`country_not_allowed`, `number_type_not_allowed`,
 * `rate_limited` with `retryAfterSeconds`). The record methods never throw: a counter that
 * could not be written must not fail a login that already happened.
 */
export abstract class SendPolicy {
  /** Rules that need no store (country, number type): before anything is written. */
  abstract screen(phone: string): void;

  /** Rules that read the store and spend nothing (blocked prefixes). */
  abstract admit(phone: string): Promise<void>;

  /** Spends what a send costs (a country's hourly budget); only for a send the store admitted. */
  abstract spend(phone: string): Promise<void>;

  /** A code went out to the phone. */
  abstract recordSent(phone: string): Promise<void>;

  /** A code sent to the phone was verified. */
  abstract recordVerified(phone: string): Promise<void>;
}

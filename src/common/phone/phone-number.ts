import { type CountryCode, getCountries, getCountryCallingCode, parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js/max';
import { DomainError } from '../errors/domain.error.js';

/** Longest input we bother parsing: E.164 has 15 digits; formatting adds a few characters. */
export const MAX_PHONE_INPUT_LENGTH = 32;

/**
 * Parses what a person typed into E.164. National input needs `country` (ISO 3166-1 alpha-2)
 * or the configured default. Throws `invalid_phone` for anything that is not a valid number.
 */
export function toE164(input: string, country?: string): string {
  const trimmed = input.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_PHONE_INPUT_LENGTH || !/^[+0-9 ().-]+$/.test(trimmed)) {
    throw invalidPhone();
  }
  const parsed = parsePhoneNumberFromString(trimmed, country?.toUpperCase() as CountryCode | undefined);
  if (parsed === undefined || !parsed.isValid()) throw invalidPhone();
  remember(parsed.number, parsed);
  return parsed.number;
}

/**
 * Parsing with the full metadata costs tens of microseconds; one request asks about the same
 * number several times (country, type, metrics). A small cache of the last numbers parsed.
 */
const recent = new Map<string, PhoneNumber | undefined>();
function remember(e164: string, parsed: PhoneNumber | undefined): void {
  if (recent.size >= 10_000) recent.clear();
  recent.set(e164, parsed);
}

/** The parsed form of an E.164 number (cached). */
export function parseE164(e164: string): PhoneNumber | undefined {
  if (recent.has(e164)) return recent.get(e164);
  const parsed = parsePhoneNumberFromString(e164);
  remember(e164, parsed);
  return parsed;
}

function invalidPhone(): DomainError {
  return new DomainError(
    'invalid_phone',
    'Enter a valid phone number in international format (+919876543210), or pass its country.',
  );
}

/** The ISO 3166-1 alpha-2 country of an E.164 number, when its numbering plan tells. */
export function countryOf(e164: string): string | undefined {
  return parseE164(e164)?.country;
}

/** For logs and public responses: country calling code and last four digits, `+91******3210`. */
const CALLING_CODES = new Set<string>(getCountries().map((country) => getCountryCallingCode(country)));

/** Calling codes are prefix-free: the first 1 to 3 digits that are one are the code. No parsing. */
function callingCodeOf(e164: string): string | undefined {
  for (let length = 1; length <= 3; length++) {
    const candidate = e164.slice(1, 1 + length);
    if (CALLING_CODES.has(candidate)) return candidate;
  }
  return undefined;
}

export function maskPhone(e164: string): string {
  const countryCode = callingCodeOf(e164) ?? e164.slice(1, 3);
  const national = e164.slice(1 + countryCode.length);
  const visible = national.length > 6 ? 4 : Math.max(0, national.length - 4);
  return `+${countryCode}${'*'.repeat(national.length - visible)}${national.slice(national.length - visible)}`;
}

import { DomainError } from '../errors/domain.error.js';
import { countryOf, maskPhone, toE164 } from './phone-number.js';

describe(toE164.name, () => {
  it('keeps an E.164 number as it is', () => {
    expect(toE164('+919876543210')).toBe('+919876543210');
  });

  it('reads formatted international input', () => {
    expect(toE164(' +1 (201) 555-0123 ')).toBe('+12015550123');
  });

  it('reads national input with a country', () => {
    expect(toE164('098765 43210', 'IN')).toBe('+919876543210');
    expect(toE164('(201) 555-0123', 'us')).toBe('+12015550123');
  });

  it.each([
    ['empty', ''],
    ['letters', '+91abcdefghij'],
    ['too short', '+9112'],
    ['unassigned range', '+10005550123'],
    ['national without country', '9876543210'],
    ['unicode digits', '+९१९८७६५४३२१०'],
    ['overlong', `+91${'9'.repeat(40)}`],
  ])('rejects %s input', (_name, input) => {
    expect(() => toE164(input)).toThrow(DomainError);
    try {
      toE164(input);
    } catch (error) {
      expect((error as DomainError).code).toBe('invalid_phone');
    }
  });
});

describe(maskPhone.name, () => {
  it('keeps the country code and the last four digits', () => {
    expect(maskPhone('+919876543210')).toBe('+91******3210');
    expect(maskPhone('+12015550123')).toBe('+1******0123');
    expect(maskPhone('+447700900123')).toBe('+44******0123');
  });
});

describe(`${maskPhone.name} (calling codes of every length)`, () => {
  it('finds one-, two- and three-digit calling codes without parsing', () => {
    expect(maskPhone('+74951234567')).toBe('+7******4567');
    expect(maskPhone('+4930123456789')).toBe('+49*******6789');
    expect(maskPhone('+971501234567')).toBe('+971*****4567');
  });

  it('falls back to two digits for an unknown code and hides all of a short national number', () => {
    expect(maskPhone('+999123456')).toBe('+99***3456');
    expect(maskPhone('+2901234')).toBe('+290****');
  });
});

describe(countryOf.name, () => {
  it('answers the same country when asked again (the parse is cached)', () => {
    expect(countryOf('+919876543210')).toBe('IN');
    expect(countryOf('+919876543210')).toBe('IN');
    expect(countryOf('+12015550123')).toBe('US');
  });
});

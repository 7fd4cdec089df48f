import { RandomOtpCodeGenerator } from './otp-code.generator.js';

describe(RandomOtpCodeGenerator.name, () => {
  it('makes codes of exactly the asked number of digits, leading zeros kept', () => {
    const generator = new RandomOtpCodeGenerator();
    const codes = Array.from({ length: 2000 }, () => generator.generate(6));
    expect(codes.every((code) => /^[0-9]{6}$/.test(code))).toBe(true);
    // 2000 draws from a million: a repeat-heavy or constant generator fails this.
    expect(new Set(codes).size).toBeGreaterThan(1990);
    expect(codes.some((code) => code.startsWith('0'))).toBe(true);
  });
});

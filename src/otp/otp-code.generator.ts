import { randomInt } from 'node:crypto';

/** Makes one-time codes. Injected so tests can know the code. */
export abstract class OtpCodeGenerator {
  /** A string of `length` decimal digits, leading zeros kept. */
  abstract generate(length: number): string;
}

export class RandomOtpCodeGenerator extends OtpCodeGenerator {
  generate(length: number): string {
    return String(randomInt(0, 10 ** length)).padStart(length, '0');
  }
}

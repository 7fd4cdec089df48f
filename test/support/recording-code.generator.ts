import { OtpCodeGenerator, RandomOtpCodeGenerator } from '../../src/otp/otp-code.generator.js';

/** The real generator, remembering what it made so a test can type the code like a person would. */
export class RecordingCodeGenerator extends OtpCodeGenerator {
  readonly issued: string[] = [];
  private readonly random = new RandomOtpCodeGenerator();

  generate(length: number): string {
    const code = this.random.generate(length);
    this.issued.push(code);
    return code;
  }

  get last(): string {
    const code = this.issued.at(-1);
    if (code === undefined) throw new Error('no code issued yet');
    return code;
  }
}

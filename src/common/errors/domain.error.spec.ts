import { DomainError, ERROR_CODES } from './domain.error.js';
import { problemKindOf } from './problem-details.js';

describe(DomainError.name, () => {
  it('captures no stack trace for an answer to the client', () => {
    const error = new DomainError('invalid_code', 'The code is not correct.');
    expect(error.stack).toBe('DomainError: invalid_code: The code is not correct.');
  });

  it('keeps the stack trace of a server error and of an error with a cause', () => {
    expect(new DomainError('store_unavailable', 'The store is unavailable.').stack).toMatch(/\n\s+at /);
    expect(new DomainError('invalid_phone', 'Bad.', {}, { cause: new Error('parser') }).stack).toMatch(/\n\s+at /);
  });

  it('keeps the stack trace of exactly the codes answered with a 5xx', () => {
    for (const code of ERROR_CODES) {
      const hasStack = /\n\s+at /.test(new DomainError(code, 'x').stack ?? '');
      expect({ code, hasStack }).toEqual({ code, hasStack: problemKindOf(code).status >= 500 });
    }
  });

  it('leaves the process-wide stack trace limit as it found it', () => {
    const before = Error.stackTraceLimit;
    new DomainError('invalid_code', 'The code is not correct.');
    expect(Error.stackTraceLimit).toBe(before);
  });
});

import { DomainError } from './domain.error.js';

describe(DomainError.name, () => {
  it('captures no stack trace for an answer to the client', () => {
    const error = new DomainError('invalid_code', 'The code is not correct.');
    expect(error.stack).toBe('DomainError: invalid_code: The code is not correct.');
  });

  it('keeps the stack trace of a server error and of an error with a cause', () => {
    expect(new DomainError('store_unavailable', 'The store is unavailable.').stack).toMatch(/\n\s+at /);
    expect(new DomainError('invalid_phone', 'Bad.', {}, { cause: new Error('parser') }).stack).toMatch(/\n\s+at /);
  });

  it('leaves the process-wide stack trace limit as it found it', () => {
    const before = Error.stackTraceLimit;
    new DomainError('invalid_code', 'The code is not correct.');
    expect(Error.stackTraceLimit).toBe(before);
  });
});

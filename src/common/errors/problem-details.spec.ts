import { DomainError, ERROR_CODES } from './domain.error.js';
import { problemKindOf, toProblem } from './problem-details.js';

describe(toProblem.name, () => {
  it('maps every stable code to a 4xx or 5xx status and a title', () => {
    for (const code of ERROR_CODES) {
      const { status, title } = problemKindOf(code);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
      expect(title).not.toBe('');
    }
  });

  it('builds an RFC 9457 body with the code and the extensions', () => {
    const error = new DomainError('invalid_code', 'The code is not correct.', { attemptsRemaining: 2 });
    expect(toProblem(error, 'https://auth.example.com')).toEqual({
      type: 'https://auth.example.com/problems/invalid-code',
      title: 'Invalid code',
      status: 400,
      detail: 'The code is not correct.',
      code: 'invalid_code',
      attemptsRemaining: 2,
    });
  });

  it.each([
    ['resend_too_soon', 429],
    ['max_attempts_reached', 429],
    ['verification_not_found', 404],
    ['verification_expired', 410],
    ['store_unavailable', 503],
    ['provider_unavailable', 503],
    ['invalid_phone', 400],
  ] as const)('answers %s with %d', (code, status) => {
    expect(problemKindOf(code).status).toBe(status);
  });
});

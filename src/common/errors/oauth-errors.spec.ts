import { DomainError, ERROR_CODES } from './domain.error.js';
import { OAUTH_ERROR_CODES, oauthErrorOf, toOAuthError } from './oauth-errors.js';

describe(toOAuthError.name, () => {
  it('maps every stable code to an RFC 6749 error and a 4xx or 5xx status', () => {
    for (const code of ERROR_CODES) {
      const { status, error } = oauthErrorOf(code);
      expect([code, status >= 400 && status < 600, OAUTH_ERROR_CODES.includes(error)]).toEqual([code, true, true]);
    }
  });

  it('answers a failed client authentication with 401 invalid_client and a Basic challenge', () => {
    expect(toOAuthError(new DomainError('unauthorized', 'The client credentials are not valid.'))).toEqual({
      status: 401,
      body: { error: 'invalid_client', error_description: 'The client credentials are not valid.' },
      headers: { 'Cache-Control': 'no-store', 'WWW-Authenticate': 'Basic realm="phone-auth"' },
    });
  });

  it('answers a spent or unknown refresh token with 400 invalid_grant', () => {
    for (const code of ['invalid_refresh_token', 'refresh_token_reused'] as const) {
      expect(toOAuthError(new DomainError(code, 'x')).body.error).toBe('invalid_grant');
      expect(toOAuthError(new DomainError(code, 'x')).status).toBe(400);
    }
  });

  it('names the first field at fault of a validation failure', () => {
    const error = new DomainError('validation_failed', 'The request has invalid or unknown fields.', { errors: [{ field: 'token', message: 'token must be a string' }] });
    expect(toOAuthError(error).body).toEqual({ error: 'invalid_request', error_description: 'The request has invalid or unknown fields: token must be a string.' });
  });

  it('keeps Retry-After, and a bug\'s detail out of the body', () => {
    const unavailable = toOAuthError(new DomainError('store_unavailable', 'The store is unavailable.', { retryAfterSeconds: 1 }));
    expect([unavailable.status, unavailable.body.error, unavailable.headers['Retry-After']]).toEqual([503, 'temporarily_unavailable', '1']);
    const bug = toOAuthError(new DomainError('internal_error', 'TypeError at secret place'));
    expect([bug.status, bug.body]).toEqual([500, { error: 'server_error', error_description: 'An unexpected error occurred.' }]);
  });

  it('writes error_description in the characters RFC 6749 §5.2 allows', () => {
    const { body } = toOAuthError(new DomainError('unauthorized', 'Say “no” \\ won’t — ok'));
    expect(body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
  });
});

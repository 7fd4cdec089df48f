import { securityHeaders } from './security-headers.js';

describe(securityHeaders.name, () => {
  it("lists helmet's headers for the service's options, with frames denied and no referrer", () => {
    const headers = securityHeaders();
    expect(headers).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
    });
    expect(headers).not.toHaveProperty('Content-Security-Policy');
  });

  it('follows the options it is given', () => {
    expect(securityHeaders({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"] } } })['Content-Security-Policy']).toBe(
      "default-src 'none'",
    );
  });
});

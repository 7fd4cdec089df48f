import { createHmac } from 'node:crypto';
import { hubSignatureValid, sameSecret, sinchReceiptAuthorized } from './receipt-auth.js';

describe('hubSignatureValid', () => {
  const secret = 'meta-app-secret';
  const raw = Buffer.from('{"entry": [ ]}');
  const signature = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

  it('accepts the HMAC-SHA256 of the raw bytes under the app secret, in either hex case', () => {
    expect(hubSignatureValid(secret, raw, signature)).toBe(true);
    expect(hubSignatureValid(secret, raw, `sha256=${signature.slice('sha256='.length).toUpperCase()}`)).toBe(true);
  });

  it('refuses another secret, other bytes (even the same JSON re-serialised), another scheme or no header', () => {
    expect(hubSignatureValid('another-secret', raw, signature)).toBe(false);
    expect(hubSignatureValid(secret, Buffer.from(JSON.stringify(JSON.parse(raw.toString()))), signature)).toBe(false);
    expect(hubSignatureValid(secret, raw, signature.replace('sha256=', 'sha1='))).toBe(false);
    expect(hubSignatureValid(secret, raw, signature.slice(0, -2))).toBe(false);
    expect(hubSignatureValid(secret, raw, undefined)).toBe(false);
    expect(hubSignatureValid(secret, raw, [signature])).toBe(false);
  });
});

describe('sinchReceiptAuthorized', () => {
  const token = 't'.repeat(40);
  const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

  it('accepts the callback URL\'s token or the Basic credentials, whichever is configured', () => {
    expect(sinchReceiptAuthorized({ token }, { token })).toBe(true);
    expect(sinchReceiptAuthorized({ basicAuth: 'sinch:password-of-16-chars' }, { authorization: basic('sinch:password-of-16-chars') })).toBe(true);
    expect(sinchReceiptAuthorized({ token, basicAuth: 'sinch:password-of-16-chars' }, { authorization: basic('sinch:password-of-16-chars') })).toBe(true);
  });

  it('refuses a wrong or missing secret, and a secret of a kind not configured', () => {
    expect(sinchReceiptAuthorized({ token }, { token: `${token}x` })).toBe(false);
    expect(sinchReceiptAuthorized({ token }, {})).toBe(false);
    expect(sinchReceiptAuthorized({ token }, { token: [token] })).toBe(false);
    expect(sinchReceiptAuthorized({ token }, { authorization: basic(`x:${token}`) })).toBe(false);
    expect(sinchReceiptAuthorized({ basicAuth: 'sinch:password-of-16-chars' }, { authorization: basic('sinch:wrong-password-16ch') })).toBe(false);
    expect(sinchReceiptAuthorized({ basicAuth: 'sinch:password-of-16-chars' }, { token: 'sinch:password-of-16-chars' })).toBe(false);
  });
});

describe('sameSecret', () => {
  it('compares secrets of any lengths', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'abc')).toBe(false);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentProblems } from '../../test/support/environment-problems.js';
import { validateEnvironment } from '../config/environment.js';
import { providersConfig } from './providers.config.js';

// The delivery-receipt settings only; the rest of the environment is covered in src/config.
const TOKEN = 'a'.repeat(40);
const receiptsOf = (settings: Record<string, string>) => providersConfig(validateEnvironment(settings)).receipts;

describe('providersConfig (delivery receipts)', () => {
  it('takes no receipts unless a provider\'s secret is set', () => {
    expect(receiptsOf({})).toEqual({ sinchSms: undefined, whatsappCloud: undefined });
  });

  it('gives Sinch a callback URL on PUBLIC_URL carrying the token, and the Basic credentials as user-info', () => {
    expect(receiptsOf({ PUBLIC_URL: 'https://auth.example.com', SINCH_SMS_RECEIPT_TOKEN: TOKEN }).sinchSms).toEqual({
      token: TOKEN,
      basicAuth: undefined,
      callbackUrl: `https://auth.example.com/v1/providers/sinch-sms/receipts?token=${TOKEN}`,
    });
    expect(receiptsOf({ PUBLIC_URL: 'https://auth.example.com', SINCH_SMS_RECEIPT_BASIC_AUTH: 'sinch:password-of-16-chars' }).sinchSms?.callbackUrl).toBe(
      'https://sinch:password-of-16-chars@auth.example.com/v1/providers/sinch-sms/receipts',
    );
  });

  it('reads the secrets from files, without the trailing newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'receipts-'));
    writeFileSync(join(dir, 'app-secret'), 'meta-app-secret-in-a-file\n');
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const receipts = receiptsOf({ WHATSAPP_APP_SECRET_FILE: join(dir, 'app-secret'), SINCH_SMS_RECEIPT_TOKEN_FILE: join(dir, 'token') });
    expect(receipts.whatsappCloud).toEqual({ appSecret: 'meta-app-secret-in-a-file', verifyToken: undefined });
    expect(receipts.sinchSms?.token).toBe(TOKEN);
  });

  it('names every problem: a short token, both a secret and its file, an unreadable file, a verify token without the app secret', () => {
    expect(
      environmentProblems({
        SINCH_SMS_RECEIPT_TOKEN: 'short',
        WHATSAPP_APP_SECRET: 'meta-app-secret-value',
        WHATSAPP_APP_SECRET_FILE: '/nonexistent/app-secret',
        SINCH_SMS_RECEIPT_BASIC_AUTH: 'no-colon',
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringContaining('SINCH_SMS_RECEIPT_TOKEN must be 32 to 256 URL-safe characters'),
        expect.stringContaining('SINCH_SMS_RECEIPT_BASIC_AUTH must be user:password'),
        'set WHATSAPP_APP_SECRET or WHATSAPP_APP_SECRET_FILE, not both',
        expect.stringContaining('WHATSAPP_APP_SECRET_FILE names a file that cannot be read: /nonexistent/app-secret'),
      ]),
    );
    expect(environmentProblems({ WHATSAPP_WEBHOOK_VERIFY_TOKEN: 'verify-token-of-16+' })).toEqual([
      expect.stringContaining('WHATSAPP_WEBHOOK_VERIFY_TOKEN is set without WHATSAPP_APP_SECRET'),
    ]);
  });
});

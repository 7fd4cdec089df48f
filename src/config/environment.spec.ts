import { environmentProblems } from '../../test/support/environment-problems.js';
import { generateKeyPairSync } from 'node:crypto';
import { providersConfig } from '../providers/providers.config.js';
import { EnvironmentError, validateEnvironment } from './environment.js';

const SHARED = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  OTP_HMAC_SECRET: 'x'.repeat(32),
  JWT_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
};

const problemsOf = environmentProblems;

describe(validateEnvironment.name, () => {
  it('runs on embedded defaults with no configuration at all', () => {
    expect(validateEnvironment({})).toMatchObject({
      PORT: 3000,
      NODE_ENV: 'development',
      OTP_CODE_LENGTH: 6,
      OTP_TTL_SECONDS: 300,
      OTP_MAX_ATTEMPTS: 5,
      OTP_RESEND_COOLDOWN_SECONDS: 30,
      SMS_PROVIDERS: ['console'],
      JWT_ALGORITHM: 'ES256',
      ACCESS_TOKEN_TTL_SECONDS: 600,
      REFRESH_TOKEN_TTL_SECONDS: 2592000,
    });
  });

  it('converts numbers, lists and country codes', () => {
    expect(
      validateEnvironment({ PORT: '8080', SMS_PROVIDERS: ' outbox , console ', DEFAULT_COUNTRY: 'in' }),
    ).toMatchObject({ PORT: 8080, SMS_PROVIDERS: ['outbox', 'console'], DEFAULT_COUNTRY: 'IN' });
  });

  it('lists every bad setting in one error', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      OTP_CODE_LENGTH: '4',
      OTP_TTL_SECONDS: '3600',
      SMS_PROVIDERS: 'carrier-pigeon',
      PUBLIC_URL: 'https://auth.example.com/',
      DEFAULT_COUNTRY: 'India',
    });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toEqual(
      expect.stringMatching(/PORT[\s\S]*OTP_CODE_LENGTH[\s\S]*OTP_TTL_SECONDS[\s\S]*SMS_PROVIDERS/),
    );
    expect(problems).toContain('PUBLIC_URL must not end with "/"');
  });

  it('names the shared secrets a shared store needs, and how to make them', () => {
    const problems = problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(problems).toEqual([
      expect.stringMatching(/^OTP_HMAC_SECRET is required .* openssl rand -base64 32$/),
      expect.stringMatching(/^JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE is required .* npm run keys:generate$/),
    ]);
    expect(problemsOf(SHARED)).toEqual([]);
  });

  it('refuses development-only defaults in production and says which setting is missing', () => {
    const problems = problemsOf({ NODE_ENV: 'production', SMS_PROVIDERS: 'console,outbox', OTP_RESEND_COOLDOWN_SECONDS: '5' });
    expect(problems).toEqual([
      'NODE_ENV=production needs a shared store: set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS',
      expect.stringContaining('NODE_ENV=production needs a signing key: set JWT_PRIVATE_KEY_FILE'),
      expect.stringContaining('OTP_RESEND_COOLDOWN_SECONDS of 30 or more'),
      expect.stringContaining('"console"'),
      expect.stringContaining('"outbox"'),
    ]);
  });

  it('says when the key is not a PEM private key', () => {
    expect(problemsOf({ JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----' })).toEqual([
      'JWT_PRIVATE_KEY is not a readable PEM private key',
    ]);
  });

  it('lists malformed API keys and duplicate client names', () => {
    expect(problemsOf({ API_KEYS: `billing:${'a'.repeat(64)},billing:${'b'.repeat(64)},oops` })).toEqual([
      expect.stringMatching(/^API_KEYS entries must be name:sha256-hex/),
      'API_KEYS names a client twice',
    ]);
  });

  it('takes API keys with a scope list and refuses unknown or empty scopes', () => {
    expect(problemsOf({ API_KEYS: `billing:${'a'.repeat(64)}:login+introspect,ops:${'b'.repeat(64)}:admin,all:${'c'.repeat(64)}` })).toEqual([]);
    for (const bad of [`x:${'a'.repeat(64)}:root`, `x:${'a'.repeat(64)}:`, `x:${'a'.repeat(64)}:login+`]) {
      expect(problemsOf({ API_KEYS: bad })).toEqual([expect.stringMatching(/^API_KEYS entries must be name:sha256-hex or name:sha256-hex:scope\+scope/)]);
    }
  });

  it('names the credentials each configured provider lacks, and routes to unconfigured providers', () => {
    expect(
      problemsOf({ SMS_PROVIDERS: 'sinch-verification,webhook', SINCH_APPLICATION_KEY: 'k', SMS_ROUTES: 'IN:startmessaging' }),
    ).toEqual([
      'SMS_PROVIDERS names sinch-verification, which needs SINCH_APPLICATION_SECRET',
      'SMS_PROVIDERS names webhook, which needs SMS_WEBHOOK_URL',
      'SMS_PROVIDERS names webhook, which needs SMS_WEBHOOK_SECRET',
      'SMS_ROUTES sends IN to startmessaging, which SMS_PROVIDERS does not name',
    ]);
  });

  it('wants each channel\'s providers able to carry it, and a channel order that offers only channels with providers', () => {
    expect(
      problemsOf({
        WHATSAPP_PROVIDERS: 'sinch-sms,whatsapp-cloud',
        VOICE_PROVIDERS: 'startmessaging',
        CHANNEL_ORDER: 'IN:whatsapp+sms,IN:sms,BR:voice',
      }),
    ).toEqual([
      'WHATSAPP_PROVIDERS names sinch-sms, which cannot deliver by whatsapp (it can: sms)',
      'VOICE_PROVIDERS names startmessaging, which cannot deliver by voice (it can: sms)',
      'CHANNEL_ORDER names IN twice',
      'WHATSAPP_PROVIDERS names sinch-sms, which needs SINCH_PROJECT_ID',
      'WHATSAPP_PROVIDERS names sinch-sms, which needs SINCH_KEY_ID',
      'WHATSAPP_PROVIDERS names sinch-sms, which needs SINCH_KEY_SECRET',
      'WHATSAPP_PROVIDERS names whatsapp-cloud, which needs WHATSAPP_ACCESS_TOKEN',
      'WHATSAPP_PROVIDERS names whatsapp-cloud, which needs WHATSAPP_PHONE_NUMBER_ID',
      'WHATSAPP_PROVIDERS names whatsapp-cloud, which needs WHATSAPP_TEMPLATE_NAME',
      'VOICE_PROVIDERS names startmessaging, which needs STARTMESSAGING_API_KEY',
    ]);
    expect(problemsOf({ CHANNEL_ORDER: 'IN:whatsapp+sms' })).toEqual(['CHANNEL_ORDER offers whatsapp for IN, but WHATSAPP_PROVIDERS names no provider']);
    expect(problemsOf({ CHANNEL_ORDER: 'IN:fax' })).toEqual([
      'CHANNEL_ORDER entries must look like IN:whatsapp+sms+voice or *:sms (channels: sms, whatsapp, voice)',
    ]);
    expect(problemsOf({ NODE_ENV: 'production', OTP_VOICE_RESEND_COOLDOWN_SECONDS: '10' })).toContain(
      'NODE_ENV=production needs OTP_VOICE_RESEND_COOLDOWN_SECONDS of 30 or more (it bounds messages and calls per phone)',
    );
    expect(problemsOf({ NODE_ENV: 'production', VOICE_PROVIDERS: 'outbox' }).filter((problem) => problem.includes('outbox'))).toEqual([
      'NODE_ENV=production refuses the development-only provider "outbox": change SMS_PROVIDERS, WHATSAPP_PROVIDERS and VOICE_PROVIDERS',
    ]);
  });

  it('offers every channel with providers when CHANNEL_ORDER is unset, SMS first', () => {
    const config = providersConfig(validateEnvironment({ WHATSAPP_PROVIDERS: 'outbox', VOICE_PROVIDERS: 'console' }));
    expect(config.channelOrder).toEqual(new Map([['*', ['sms', 'whatsapp', 'voice']]]));
    expect(config.channelProviders).toEqual({ sms: ['console'], whatsapp: ['outbox'], voice: ['console'] });
  });

  it('wants test numbers in E.164 with a code of the configured length', () => {
    expect(problemsOf({ TEST_PHONE_NUMBERS: '+15005550006:123456' })).toEqual([]);
    expect(problemsOf({ TEST_PHONE_NUMBERS: '+15005550006:1234' })).toEqual([
      'TEST_PHONE_NUMBERS: the code of +15005550006 must have OTP_CODE_LENGTH (6) digits',
    ]);
  });

  it('says when the key file cannot be read', () => {
    expect(problemsOf({ JWT_PRIVATE_KEY_FILE: '/nonexistent/key.pem' })).toEqual([
      'JWT_PRIVATE_KEY_FILE names a file that cannot be read: /nonexistent/key.pem',
    ]);
  });

  it('never echoes a secret value in its message', () => {
    const error = (() => {
      try {
        return validateEnvironment({ OTP_HMAC_SECRET: 'short-secret-value' });
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).not.toContain('short-secret-value');
  });
});

import { environmentProblems } from '../../test/support/environment-problems.js';
import { generateKeyPairSync } from 'node:crypto';
import { providersConfig } from '../providers/providers.config.js';
import { EnvironmentError, validateEnvironment } from './environment.js';

const SHARED = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  PUBLIC_URL: 'https://auth.example.com',
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
      expect.stringMatching(/^PUBLIC_URL is required with a shared store .*issuer and audience.*same on every instance/),
      expect.stringMatching(/^OTP_HMAC_SECRET is required .* openssl rand -base64 32$/),
      expect.stringMatching(/^JWT_PRIVATE_KEY_FILE \(or JWT_PRIVATE_KEY\) is required with a shared store .* npm run keys:generate$/),
    ]);
    expect(problemsOf(SHARED)).toEqual([]);
  });

  it('wants PUBLIC_URL on every store mode, whatever NODE_ENV, and not in the in-memory mode', () => {
    const { PUBLIC_URL: _unset, ...withoutPublicUrl } = SHARED;
    const connections: Record<string, string>[] = [{ REDIS_URL: 'redis://127.0.0.1:6379' }, { REDIS_CLUSTER_NODES: 'a:7000,b:7001' }, { REDIS_SENTINELS: 'a:26379' }];
    for (const connection of connections) {
      for (const NODE_ENV of ['development', 'test']) {
        expect(problemsOf({ ...withoutPublicUrl, REDIS_URL: '', ...connection, NODE_ENV })).toEqual([expect.stringMatching(/^PUBLIC_URL is required/)]);
      }
    }
    expect(problemsOf({})).toEqual([]);
  });

  it('refuses development-only defaults in production and says which setting is missing', () => {
    const problems = problemsOf({ NODE_ENV: 'production', SMS_PROVIDERS: 'console,outbox', OTP_RESEND_COOLDOWN_SECONDS: '5' });
    expect(problems).toEqual([
      expect.stringMatching(/^PUBLIC_URL is required with NODE_ENV=production/),
      'NODE_ENV=production needs a shared store: set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS',
      expect.stringMatching(/^OTP_HMAC_SECRET is required with NODE_ENV=production/),
      expect.stringMatching(/^JWT_PRIVATE_KEY_FILE \(or JWT_PRIVATE_KEY\) is required with NODE_ENV=production/),
      expect.stringContaining('OTP_RESEND_COOLDOWN_SECONDS of 30 or more'),
      expect.stringContaining('"console"'),
      expect.stringContaining('"outbox"'),
    ]);
  });

  it('lists in its first refusal everything production still lacks once the store is set, each setting once', () => {
    const first = problemsOf({ NODE_ENV: 'production' });
    // What the operator fixes after reading the first refusal: nothing new may appear.
    const fixed = problemsOf({ NODE_ENV: 'production', REDIS_URL: 'redis://redis:6379', SMS_PROVIDERS: 'sinch-sms' });
    const named = (problems: string[]) =>
      problems.flatMap((problem) => ['PUBLIC_URL', 'OTP_HMAC_SECRET', 'JWT_PRIVATE_KEY_FILE'].filter((name) => problem.startsWith(name)));
    expect(named(first)).toEqual(['PUBLIC_URL', 'OTP_HMAC_SECRET', 'JWT_PRIVATE_KEY_FILE']);
    expect(named(fixed)).toEqual(['PUBLIC_URL', 'OTP_HMAC_SECRET', 'JWT_PRIVATE_KEY_FILE']);
    for (const setting of ['JWT_PRIVATE_KEY', 'PUBLIC_URL', 'OTP_HMAC_SECRET']) {
      expect(fixed.filter((problem) => problem.includes(setting))).toHaveLength(1);
    }
    const complete = { ...SHARED, NODE_ENV: 'production', SMS_PROVIDERS: 'startmessaging', STARTMESSAGING_API_KEY: 'k' };
    expect(problemsOf(complete)).toEqual([]);
  });

  it('takes info and trace, pino\'s names, as LOG_LEVEL aliases of log and verbose', () => {
    expect(validateEnvironment({ LOG_LEVEL: 'info' }).LOG_LEVEL).toBe('log');
    expect(validateEnvironment({ LOG_LEVEL: 'trace' }).LOG_LEVEL).toBe('verbose');
    expect(validateEnvironment({ LOG_LEVEL: 'WARN' }).LOG_LEVEL).toBe('warn');
    expect(problemsOf({ LOG_LEVEL: 'loud' })).toEqual(['LOG_LEVEL must be one of fatal, error, warn, log (or info), debug, verbose (or trace)']);
  });

  it('listens on 0.0.0.0 unless HOST names an address or a host name', () => {
    expect(validateEnvironment({}).HOST).toBe('0.0.0.0');
    for (const host of ['127.0.0.1', '::', '::1', 'localhost', 'auth.internal']) expect(validateEnvironment({ HOST: host }).HOST).toBe(host);
    for (const host of ['http://127.0.0.1', '127.0.0.1:3000', 'two words', '']) {
      expect(problemsOf({ HOST: host })).toEqual([expect.stringMatching(/^HOST must be an IP address to listen on/)]);
    }
  });

  it('states the range of an integer setting that is not one, or out of it', () => {
    for (const port of ['abc', '0', '65536', '80.5', '']) expect(problemsOf({ PORT: port })).toEqual(['PORT must be an integer from 1 to 65535']);
    expect(problemsOf({ OTP_TTL_SECONDS: 'five minutes' })).toEqual(['OTP_TTL_SECONDS must be an integer from 30 to 600']);
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

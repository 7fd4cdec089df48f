import { environmentProblems } from '../../test/support/environment-problems.js';
import { validateEnvironment } from '../config/environment.js';
import { captchaConfig } from './captcha.config.js';

const problemsOf = environmentProblems;

describe('captchaConfig', () => {
  it('is off by default, failing closed, with a 0.5 score and the login action', () => {
    const config = captchaConfig(validateEnvironment({}));
    expect(config).toMatchObject({ mode: 'off', provider: undefined, failOpen: false, onVerify: false, minScore: 0.5, expectedAction: 'login' });
  });

  it('derives the provider\'s siteverify URL and token lifetime, unless CAPTCHA_VERIFY_URL overrides the URL', () => {
    const keys = { CAPTCHA_SECRET: 's', CAPTCHA_SITE_KEY: 'k', CAPTCHA_MODE: 'enforce' };
    expect(captchaConfig(validateEnvironment({ ...keys, CAPTCHA_PROVIDER: 'recaptcha' }))).toMatchObject({
      verifyUrl: 'https://www.google.com/recaptcha/api/siteverify',
      tokenLifetimeMs: 120_000,
    });
    expect(captchaConfig(validateEnvironment({ ...keys, CAPTCHA_PROVIDER: 'hcaptcha', CAPTCHA_VERIFY_URL: 'http://127.0.0.1:9/siteverify' }))).toMatchObject({
      verifyUrl: 'http://127.0.0.1:9/siteverify',
      tokenLifetimeMs: 300_000,
    });
  });

  it('refuses a provider without its secret and site key, and a mode without a provider', () => {
    expect(problemsOf({ CAPTCHA_PROVIDER: 'turnstile' })).toEqual(['CAPTCHA_PROVIDER=turnstile needs CAPTCHA_SECRET and CAPTCHA_SITE_KEY']);
    expect(problemsOf({ CAPTCHA_MODE: 'audit' })).toEqual(['CAPTCHA_MODE=audit needs CAPTCHA_PROVIDER (turnstile, hcaptcha, recaptcha)']);
  });

  it('refuses values out of range', () => {
    expect(problemsOf({ CAPTCHA_MODE: 'on', CAPTCHA_MIN_SCORE: '2', CAPTCHA_PROVIDER: 'friendly' })).toEqual(
      expect.arrayContaining([
        expect.stringContaining('CAPTCHA_MODE must be one of enforce, audit, off'),
        expect.stringContaining('CAPTCHA_MIN_SCORE'),
        expect.stringContaining('CAPTCHA_PROVIDER must be one of turnstile, hcaptcha, recaptcha'),
      ]),
    );
  });
});

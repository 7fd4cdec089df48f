import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { storeAdapter } from '../redis/store-adapter.js';
import { HCaptchaCaptchaVerifier } from './adapters/hcaptcha.captcha-verifier.js';
import { RecaptchaCaptchaVerifier } from './adapters/recaptcha.captcha-verifier.js';
import { TurnstileCaptchaVerifier } from './adapters/turnstile.captcha-verifier.js';
import { captchaConfig } from './captcha.config.js';
import { CaptchaGuard } from './captcha.guard.js';
import { CaptchaTokenRepository } from './captcha-token.repository.js';
import { CaptchaVerifier } from './captcha-verifier.js';
import { InMemoryCaptchaTokenRepository } from './in-memory-captcha-token.repository.js';
import { RedisCaptchaTokenRepository } from './redis-captcha-token.repository.js';

/** The one place a CAPTCHA provider is chosen: none when CAPTCHA_MODE is off. */
export function createCaptchaVerifier(config: ConfigType<typeof captchaConfig>): CaptchaVerifier | null {
  const { secret, siteKey, verifyUrl, timeoutMs, expectedAction, expectedHostnames, minScore } = config;
  switch (config.provider) {
    case undefined:
      return null;
    case 'turnstile':
      return new TurnstileCaptchaVerifier({ secret, verifyUrl, timeoutMs, expectedAction, expectedHostnames });
    case 'hcaptcha':
      return new HCaptchaCaptchaVerifier({ secret, siteKey, verifyUrl, timeoutMs, expectedHostnames });
    case 'recaptcha':
      return new RecaptchaCaptchaVerifier({ secret, verifyUrl, timeoutMs, minScore, expectedAction, expectedHostnames });
  }
}

/** The bot check (CAPTCHA) of anonymous callers: `@BotChecked('send')` on a route. */
@Module({
  providers: [
    CaptchaGuard,
    { provide: CaptchaVerifier, inject: [captchaConfig.KEY], useFactory: createCaptchaVerifier },
    storeAdapter(CaptchaTokenRepository, {
      redis: ({ client, keys }) => new RedisCaptchaTokenRepository(client, keys),
      memory: () => new InMemoryCaptchaTokenRepository(),
    }),
  ],
  exports: [CaptchaGuard, CaptchaVerifier, CaptchaTokenRepository],
})
export class CaptchaModule {}

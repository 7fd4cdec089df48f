import { Transform } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min } from 'class-validator';
import { defineConfig } from '../config/define-config.js';
import { emptyToUndefined, toBoolean, toInt, toList, URL_OPTIONS } from '../config/env-transforms.js';

export const CAPTCHA_PROVIDERS = ['turnstile', 'hcaptcha', 'recaptcha'] as const;
export type CaptchaProviderName = (typeof CAPTCHA_PROVIDERS)[number];

/** `enforce` refuses, `audit` checks and counts but lets everything through, `off` does nothing. */
export const CAPTCHA_MODES = ['enforce', 'audit', 'off'] as const;
export type CaptchaMode = (typeof CAPTCHA_MODES)[number];

/** Each provider's siteverify endpoint, as its documentation gives it (README "Stopping SMS pumping"). */
export const SITEVERIFY_URLS: { [provider in CaptchaProviderName]: string } = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
  recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
};

/** How long a provider's token is valid: Turnstile and hCaptcha 300 s, reCAPTCHA 120 s. A used token is remembered that long. */
const TOKEN_LIFETIME_MS: { [provider in CaptchaProviderName]: number } = { turnstile: 300_000, hcaptcha: 300_000, recaptcha: 120_000 };

const toNumber = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value);

/** A bot check (CAPTCHA) in front of anonymous sends, and optionally verifies. */
export class CaptchaEnvironment {
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(CAPTCHA_PROVIDERS, { message: `CAPTCHA_PROVIDER must be one of ${CAPTCHA_PROVIDERS.join(', ')}` })
  CAPTCHA_PROVIDER?: CaptchaProviderName;

  /** The server-side secret; never sent to the browser. */
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MaxLength(512) CAPTCHA_SECRET?: string;

  /** The public site key the widget is rendered with (the demo page publishes it). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,128}$/, { message: 'CAPTCHA_SITE_KEY must be letters, digits, - and _ (as providers issue them)' })
  CAPTCHA_SITE_KEY?: string;

  @IsIn(CAPTCHA_MODES, { message: `CAPTCHA_MODE must be one of ${CAPTCHA_MODES.join(', ')}` })
  CAPTCHA_MODE: CaptchaMode = 'off';

  /** Also check anonymous verifies (each verify then needs a fresh token). */
  @Transform(toBoolean) @IsBoolean() CAPTCHA_ON_VERIFY = false;

  /** When the provider cannot be reached: false refuses the request (503 captcha_unavailable), true lets it through (counted). */
  @Transform(toBoolean) @IsBoolean() CAPTCHA_FAIL_OPEN = false;

  /** reCAPTCHA v3: the lowest score (0.0 bot .. 1.0 human) accepted. */
  @Transform(toNumber) @IsNumber() @Min(0) @Max(1) CAPTCHA_MIN_SCORE = 0.5;

  /** The action the widget names (reCAPTCHA v3 `action`, Turnstile `data-action`); checked when the provider returns one. */
  @Matches(/^[A-Za-z0-9_/]{1,100}$/, { message: 'CAPTCHA_EXPECTED_ACTION must be letters, digits, _ and /' })
  CAPTCHA_EXPECTED_ACTION = 'login';

  /** Hostnames a token may have been solved on; none: any. */
  @Transform(toList)
  @IsArray()
  @Matches(/^[A-Za-z0-9.-]{1,253}$/, { each: true, message: 'CAPTCHA_EXPECTED_HOSTNAMES must list host names' })
  CAPTCHA_EXPECTED_HOSTNAMES: string[] = [];

  /** Per siteverify call; a timed-out call is retried once. */
  @Transform(toInt) @IsInt() @Min(100) @Max(30000) CAPTCHA_TIMEOUT_MS = 3000;

  /** The provider's siteverify URL; default: the provider's own (SITEVERIFY_URLS). For tests and proxies. */
  @Transform(emptyToUndefined) @IsOptional() @IsUrl(URL_OPTIONS) CAPTCHA_VERIFY_URL?: string;
}

export const captchaConfig = defineConfig(
  'captcha',
  CaptchaEnvironment,
  (env) => {
    const provider = env.CAPTCHA_MODE === 'off' ? undefined : env.CAPTCHA_PROVIDER;
    return {
      mode: provider === undefined ? ('off' as CaptchaMode) : env.CAPTCHA_MODE,
      provider,
      secret: env.CAPTCHA_SECRET ?? '',
      siteKey: env.CAPTCHA_SITE_KEY ?? '',
      onVerify: env.CAPTCHA_ON_VERIFY,
      failOpen: env.CAPTCHA_FAIL_OPEN,
      minScore: env.CAPTCHA_MIN_SCORE,
      expectedAction: env.CAPTCHA_EXPECTED_ACTION,
      expectedHostnames: new Set(env.CAPTCHA_EXPECTED_HOSTNAMES.map((host) => host.toLowerCase())),
      timeoutMs: env.CAPTCHA_TIMEOUT_MS,
      verifyUrl: env.CAPTCHA_VERIFY_URL ?? (provider ? SITEVERIFY_URLS[provider] : ''),
      /** How long a used token is remembered (its lifetime at the provider). */
      tokenLifetimeMs: provider ? TOKEN_LIFETIME_MS[provider] : 0,
    };
  },
  (env) => {
    const problems: string[] = [];
    if (env.CAPTCHA_PROVIDER !== undefined && (env.CAPTCHA_SECRET === undefined || env.CAPTCHA_SITE_KEY === undefined)) {
      problems.push(`CAPTCHA_PROVIDER=${env.CAPTCHA_PROVIDER} needs CAPTCHA_SECRET and CAPTCHA_SITE_KEY`);
    }
    if ((env.CAPTCHA_MODE ?? 'off') !== 'off' && env.CAPTCHA_PROVIDER === undefined) {
      problems.push(`CAPTCHA_MODE=${env.CAPTCHA_MODE} needs CAPTCHA_PROVIDER (${CAPTCHA_PROVIDERS.join(', ')})`);
    }
    return problems;
  },
);

import { Transform } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { publicUrlOf } from '../config/app.config.js';
import { defineConfig } from '../config/define-config.js';
import type { Environment } from '../config/environment.js';
import { emptyToUndefined, toInt, toList, URL_OPTIONS } from '../config/env-transforms.js';

export const SMS_PROVIDER_NAMES = ['console', 'outbox', 'sinch-verification', 'sinch-sms', 'startmessaging', 'webhook', 'whatsapp-cloud'] as const;
export type SmsProviderName = (typeof SMS_PROVIDER_NAMES)[number];

const noTrailingSlash = (name: string) => Matches(/[^/]$/, { message: `${name} must not end with "/"` });

/** SMS providers: which, in what order, their credentials, and the message. */
export class ProvidersEnvironment {
  @Transform(toList)
  @IsArray()
  @ArrayNotEmpty({ message: 'SMS_PROVIDERS must name at least one provider' })
  @IsIn(SMS_PROVIDER_NAMES, {
    each: true,
    message: `SMS_PROVIDERS may name only ${SMS_PROVIDER_NAMES.join(', ')}`,
  })
  SMS_PROVIDERS: SmsProviderName[] = ['console'];

  /** Per-country provider order: `IN:startmessaging+sinch-sms,GB:sinch-sms`; other countries use SMS_PROVIDERS. */
  @Transform(toList)
  @IsArray()
  @Matches(/^[A-Z]{2}:[a-z-]+(\+[a-z-]+)*$/, { each: true, message: 'SMS_ROUTES entries must look like IN:startmessaging+sinch-sms' })
  SMS_ROUTES: string[] = [];

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(30000)
  SMS_PROVIDER_TIMEOUT_MS = 5000;

  /** Named in the SMS text. */
  @IsString()
  @MinLength(1)
  @MaxLength(30)
  APP_NAME = 'phone-auth';

  /** `+15005550006:123456,…`: numbers with a fixed code that never reach a provider. */
  @Transform(toList)
  @IsArray()
  @Matches(/^\+[1-9][0-9]{6,14}:[0-9]{4,10}$/, { each: true, message: 'TEST_PHONE_NUMBERS entries must look like +15005550006:123456' })
  TEST_PHONE_NUMBERS: string[] = [];

  @Transform(emptyToUndefined) @IsOptional() @IsString() SINCH_APPLICATION_KEY?: string = undefined;
  @Transform(emptyToUndefined) @IsOptional() @IsString() SINCH_APPLICATION_SECRET?: string = undefined;
  @IsUrl(URL_OPTIONS) @noTrailingSlash('SINCH_VERIFICATION_BASE_URL') SINCH_VERIFICATION_BASE_URL = 'https://verification.api.sinch.com';
  @Transform(emptyToUndefined) @IsOptional() @IsString() SINCH_PROJECT_ID?: string = undefined;
  @Transform(emptyToUndefined) @IsOptional() @IsString() SINCH_KEY_ID?: string = undefined;
  @Transform(emptyToUndefined) @IsOptional() @IsString() SINCH_KEY_SECRET?: string = undefined;
  @IsUrl(URL_OPTIONS) @noTrailingSlash('SINCH_SMS_BASE_URL') SINCH_SMS_BASE_URL = 'https://us.sms.api.sinch.com';
  @IsUrl(URL_OPTIONS) @noTrailingSlash('SINCH_AUTH_BASE_URL') SINCH_AUTH_BASE_URL = 'https://auth.sinch.com';
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MaxLength(16) SINCH_SMS_FROM?: string = undefined;
  @Transform(emptyToUndefined) @IsOptional() @IsString() STARTMESSAGING_API_KEY?: string = undefined;
  @IsUrl(URL_OPTIONS) @noTrailingSlash('STARTMESSAGING_BASE_URL') STARTMESSAGING_BASE_URL = 'https://api.startmessaging.com';
  @Transform(emptyToUndefined) @IsOptional() @IsUrl(URL_OPTIONS) SMS_WEBHOOK_URL?: string = undefined;
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'SMS_WEBHOOK_SECRET must be at least 32 characters (openssl rand -base64 32)' })
  SMS_WEBHOOK_SECRET?: string = undefined;
  @Transform(emptyToUndefined) @IsOptional() @IsString() WHATSAPP_ACCESS_TOKEN?: string = undefined;
  /** The business phone number's id in Meta's Graph API (digits), not the number. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^\d{1,30}$/, { message: 'WHATSAPP_PHONE_NUMBER_ID must be the phone number id (digits) from WhatsApp Manager' })
  WHATSAPP_PHONE_NUMBER_ID?: string = undefined;
  /** An approved AUTHENTICATION template with a copy-code button. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[a-z0-9_]{1,512}$/, { message: 'WHATSAPP_TEMPLATE_NAME must be a template name (lower-case letters, digits, _)' })
  WHATSAPP_TEMPLATE_NAME?: string = undefined;
  /** The template language for locales that map to none of WhatsApp's, and for the default's own language. */
  @Matches(/^[a-z]{2,3}(_[A-Z]{2})?$/, { message: 'WHATSAPP_TEMPLATE_LANGUAGE must be a WhatsApp language code such as en_US, en or pt_BR' })
  WHATSAPP_TEMPLATE_LANGUAGE = 'en_US';
  @Matches(/^v\d{1,3}\.\d{1,2}$/, { message: 'WHATSAPP_API_VERSION must look like v25.0' }) WHATSAPP_API_VERSION = 'v25.0';
  @IsUrl(URL_OPTIONS) @noTrailingSlash('WHATSAPP_BASE_URL') WHATSAPP_BASE_URL = 'https://graph.facebook.com';
}

const PROVIDER_SETTINGS: Record<SmsProviderName, (keyof ProvidersEnvironment)[]> = {
  console: [],
  outbox: [],
  'sinch-verification': ['SINCH_APPLICATION_KEY', 'SINCH_APPLICATION_SECRET'],
  'sinch-sms': ['SINCH_PROJECT_ID', 'SINCH_KEY_ID', 'SINCH_KEY_SECRET'],
  startmessaging: ['STARTMESSAGING_API_KEY'],
  webhook: ['SMS_WEBHOOK_URL', 'SMS_WEBHOOK_SECRET'],
  'whatsapp-cloud': ['WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_TEMPLATE_NAME'],
};

/** Production refuses the development providers; each provider has its credentials; routes and test numbers fit. */
function providerProblems(env: Environment): string[] {
  const problems: string[] = [];
  const configured = new Set<string>(env.SMS_PROVIDERS ?? []);
  if (env.NODE_ENV === 'production') {
    for (const name of configured) {
      if (name === 'console' || name === 'outbox') {
        problems.push(`NODE_ENV=production refuses the development-only SMS provider "${name}": change SMS_PROVIDERS`);
      }
    }
  }
  for (const name of configured) {
    for (const setting of PROVIDER_SETTINGS[name as SmsProviderName] ?? []) {
      if (env[setting] === undefined) problems.push(`SMS_PROVIDERS names ${name}, which needs ${setting}`);
    }
  }
  const countries = new Set<string>();
  for (const route of env.SMS_ROUTES ?? []) {
    const [country, providers] = route.split(':');
    if (countries.has(country)) problems.push(`SMS_ROUTES names ${country} twice`);
    countries.add(country);
    for (const name of providers?.split('+') ?? []) {
      if (!configured.has(name)) problems.push(`SMS_ROUTES sends ${country} to ${name}, which SMS_PROVIDERS does not name`);
    }
  }
  for (const entry of env.TEST_PHONE_NUMBERS ?? []) {
    const code = entry.split(':')[1] ?? '';
    if (code.length !== env.OTP_CODE_LENGTH) {
      problems.push(`TEST_PHONE_NUMBERS: the code of ${entry.split(':')[0]} must have OTP_CODE_LENGTH (${env.OTP_CODE_LENGTH}) digits`);
    }
  }
  return problems;
}

export const providersConfig = defineConfig(
  'providers',
  ProvidersEnvironment,
  (env) => ({
    /** Failover order for every country without a route of its own. */
    smsProviders: env.SMS_PROVIDERS,
    /** Country (ISO 3166-1 alpha-2) to its own failover order. */
    routes: new Map(
      env.SMS_ROUTES.map((route) => {
        const [country, providers] = route.split(':');
        return [country, providers.split('+') as SmsProviderName[]];
      }),
    ),
    timeoutMs: env.SMS_PROVIDER_TIMEOUT_MS,
    appName: env.APP_NAME,
    /** Host for the origin-bound code line (`@host #123456`); only when PUBLIC_URL is set. */
    originHost: env.PUBLIC_URL === undefined ? undefined : new URL(publicUrlOf(env)).hostname,
    testNumbers: new Map(env.TEST_PHONE_NUMBERS.map((entry) => entry.split(':') as [string, string])),
    sinchVerification: {
      applicationKey: env.SINCH_APPLICATION_KEY ?? '',
      applicationSecret: env.SINCH_APPLICATION_SECRET ?? '',
      baseUrl: env.SINCH_VERIFICATION_BASE_URL,
    },
    sinchSms: {
      projectId: env.SINCH_PROJECT_ID ?? '',
      keyId: env.SINCH_KEY_ID ?? '',
      keySecret: env.SINCH_KEY_SECRET ?? '',
      baseUrl: env.SINCH_SMS_BASE_URL,
      authBaseUrl: env.SINCH_AUTH_BASE_URL,
      from: env.SINCH_SMS_FROM,
    },
    startMessaging: { apiKey: env.STARTMESSAGING_API_KEY ?? '', baseUrl: env.STARTMESSAGING_BASE_URL },
    webhook: { url: env.SMS_WEBHOOK_URL ?? '', secret: env.SMS_WEBHOOK_SECRET ?? '' },
    whatsappCloud: {
      accessToken: env.WHATSAPP_ACCESS_TOKEN ?? '',
      phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID ?? '',
      templateName: env.WHATSAPP_TEMPLATE_NAME ?? '',
      defaultLanguage: env.WHATSAPP_TEMPLATE_LANGUAGE,
      apiVersion: env.WHATSAPP_API_VERSION,
      baseUrl: env.WHATSAPP_BASE_URL,
    },
  }),
  providerProblems,
);

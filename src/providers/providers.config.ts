import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { publicUrlOf } from '../config/app.config.js';
import { defineConfig } from '../config/define-config.js';
import type { Environment } from '../config/environment.js';
import { readSecretFile } from '../config/env-files.js';
import { emptyToUndefined, toInt, toList, URL_OPTIONS } from '../config/env-transforms.js';
import { Channel, CHANNELS } from './sms-provider.js';

export const SMS_PROVIDER_NAMES = ['console', 'outbox', 'sinch-verification', 'sinch-sms', 'startmessaging', 'webhook', 'whatsapp-cloud'] as const;
export type SmsProviderName = (typeof SMS_PROVIDER_NAMES)[number];

/** What each provider can deliver on; a channel's provider list may name only providers of that channel. */
export const PROVIDER_CHANNELS: Record<SmsProviderName, readonly Channel[]> = {
  console: CHANNELS,
  outbox: CHANNELS,
  'sinch-verification': ['sms', 'voice', 'whatsapp'],
  'sinch-sms': ['sms'],
  startmessaging: ['sms'],
  webhook: CHANNELS,
  'whatsapp-cloud': ['whatsapp'],
};

/** What a send may ask for: one channel, or `auto` (the country's CHANNEL_ORDER). */
export const CHANNEL_CHOICES = [...CHANNELS, 'auto'] as const;
export type ChannelChoice = (typeof CHANNEL_CHOICES)[number];

/** The CHANNEL_ORDER key of every country without an entry of its own. */
export const ANY_COUNTRY = '*';

const providerList = (name: string) =>
  applyDecorators(
    Transform(toList),
    IsArray(),
    IsIn(SMS_PROVIDER_NAMES, { each: true, message: `${name} may name only ${SMS_PROVIDER_NAMES.join(', ')}` }),
  );

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

  /** Failover order of the WhatsApp channel; empty: WhatsApp is not offered. */
  @providerList('WHATSAPP_PROVIDERS')
  WHATSAPP_PROVIDERS: SmsProviderName[] = [];

  /** Failover order of the voice channel; empty: calls are not offered. */
  @providerList('VOICE_PROVIDERS')
  VOICE_PROVIDERS: SmsProviderName[] = [];

  /**
   * Channels offered per country, in the order `auto` tries them: `IN:whatsapp+sms+voice,BR:whatsapp+sms,*:sms`.
   * Countries without an entry get `*`'s; without a `*` entry, every channel with providers (sms, whatsapp, voice).
   */
  @Transform(toList)
  @IsArray()
  @Matches(/^([A-Z]{2}|\*):(sms|whatsapp|voice)(\+(sms|whatsapp|voice))*$/, {
    each: true,
    message: 'CHANNEL_ORDER entries must look like IN:whatsapp+sms+voice or *:sms (channels: sms, whatsapp, voice)',
  })
  CHANNEL_ORDER: string[] = [];

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

  // Delivery receipts (POST /v1/providers/:provider/receipts): each provider's are taken only
  // once its secret is set. A secret may come from a file instead (`*_FILE`: Docker, Kubernetes).

  /** The secret Sinch's delivery reports carry in the callback URL (`?token=`). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{32,256}$/, { message: 'SINCH_SMS_RECEIPT_TOKEN must be 32 to 256 URL-safe characters (openssl rand -hex 32)' })
  SINCH_SMS_RECEIPT_TOKEN?: string = undefined;
  @Transform(emptyToUndefined) @IsOptional() @IsString() SINCH_SMS_RECEIPT_TOKEN_FILE?: string = undefined;
  /** `user:password` Sinch's delivery reports present as HTTP Basic auth. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[A-Za-z0-9._~-]{1,64}:[A-Za-z0-9._~-]{16,256}$/, {
    message: 'SINCH_SMS_RECEIPT_BASIC_AUTH must be user:password (URL-safe characters, a password of at least 16)',
  })
  SINCH_SMS_RECEIPT_BASIC_AUTH?: string = undefined;
  @Transform(emptyToUndefined) @IsOptional() @IsString() SINCH_SMS_RECEIPT_BASIC_AUTH_FILE?: string = undefined;
  /** The Meta app's secret: it signs every webhook (`X-Hub-Signature-256`). */
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(16) WHATSAPP_APP_SECRET?: string = undefined;
  @Transform(emptyToUndefined) @IsOptional() @IsString() WHATSAPP_APP_SECRET_FILE?: string = undefined;
  /** What Meta's webhook verification request (`hub.verify_token`) must present; you choose it when registering the webhook. */
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(16) @MaxLength(256) WHATSAPP_WEBHOOK_VERIFY_TOKEN?: string = undefined;
}

/** The receipt secrets that may be given in a file instead (`<name>_FILE`). */
const RECEIPT_SECRETS = ['SINCH_SMS_RECEIPT_TOKEN', 'SINCH_SMS_RECEIPT_BASIC_AUTH', 'WHATSAPP_APP_SECRET'] as const;
type ReceiptSecret = (typeof RECEIPT_SECRETS)[number];

/** Each receipt secret from its variable or its file; a file's problem is a boot problem. */
function receiptSecretsOf(env: Environment): { values: Partial<Record<ReceiptSecret, string>>; problems: string[] } {
  const values: Partial<Record<ReceiptSecret, string>> = {};
  const problems: string[] = [];
  for (const name of RECEIPT_SECRETS) {
    const path = env[`${name}_FILE`];
    if (env[name] !== undefined && path !== undefined) problems.push(`set ${name} or ${name}_FILE, not both`);
    if (path === undefined) {
      values[name] = env[name];
      continue;
    }
    const file = readSecretFile(`${name}_FILE`, path);
    if (file.problem !== undefined) problems.push(file.problem);
    else values[name] = file.text;
  }
  return { values, problems };
}

/** The receipts each provider's secrets enable, and the callback URL Sinch is given per batch. */
function receiptSettings(env: Environment) {
  const { values } = receiptSecretsOf(env);
  const token = values.SINCH_SMS_RECEIPT_TOKEN;
  const basicAuth = values.SINCH_SMS_RECEIPT_BASIC_AUTH;
  const callbackUrl = new URL('/v1/providers/sinch-sms/receipts', `${publicUrlOf(env)}/`);
  if (token !== undefined) callbackUrl.searchParams.set('token', token);
  if (basicAuth !== undefined) [callbackUrl.username, callbackUrl.password] = basicAuth.split(':') as [string, string];
  const sinchSms = token === undefined && basicAuth === undefined ? undefined : { token, basicAuth, callbackUrl: callbackUrl.toString() };
  const appSecret = values.WHATSAPP_APP_SECRET;
  return {
    sinchSms,
    whatsappCloud: appSecret === undefined ? undefined : { appSecret, verifyToken: env.WHATSAPP_WEBHOOK_VERIFY_TOKEN },
  };
}

/** Receipt secrets readable; a verify token needs the app secret (a webhook Meta registers must be one we can check). */
function receiptProblems(env: Environment): string[] {
  const { values, problems } = receiptSecretsOf(env);
  if (env.WHATSAPP_WEBHOOK_VERIFY_TOKEN !== undefined && values.WHATSAPP_APP_SECRET === undefined) {
    problems.push('WHATSAPP_WEBHOOK_VERIFY_TOKEN is set without WHATSAPP_APP_SECRET (or WHATSAPP_APP_SECRET_FILE): the webhook\'s posts could not be checked');
  }
  const token = values.SINCH_SMS_RECEIPT_TOKEN;
  if (token !== undefined && !/^[A-Za-z0-9_-]{32,256}$/.test(token)) problems.push('SINCH_SMS_RECEIPT_TOKEN_FILE must hold 32 to 256 URL-safe characters');
  const basic = values.SINCH_SMS_RECEIPT_BASIC_AUTH;
  if (basic !== undefined && !/^[A-Za-z0-9._~-]{1,64}:[A-Za-z0-9._~-]{16,256}$/.test(basic)) {
    problems.push('SINCH_SMS_RECEIPT_BASIC_AUTH_FILE must hold user:password (URL-safe characters, a password of at least 16)');
  }
  return problems;
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
  const everyProvider = new Set<string>([...configured, ...(env.WHATSAPP_PROVIDERS ?? []), ...(env.VOICE_PROVIDERS ?? [])]);
  problems.push(...channelProblems(env), ...receiptProblems(env));
  if (env.NODE_ENV === 'production') {
    for (const name of everyProvider) {
      if (name === 'console' || name === 'outbox') {
        problems.push(`NODE_ENV=production refuses the development-only provider "${name}": change SMS_PROVIDERS, WHATSAPP_PROVIDERS and VOICE_PROVIDERS`);
      }
    }
  }
  for (const name of everyProvider) {
    for (const setting of PROVIDER_SETTINGS[name as SmsProviderName] ?? []) {
      if (env[setting] === undefined) problems.push(`${listNaming(env, name)} names ${name}, which needs ${setting}`);
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

const CHANNEL_SETTINGS: Record<Channel, 'SMS_PROVIDERS' | 'WHATSAPP_PROVIDERS' | 'VOICE_PROVIDERS'> = {
  sms: 'SMS_PROVIDERS',
  whatsapp: 'WHATSAPP_PROVIDERS',
  voice: 'VOICE_PROVIDERS',
};

function listNaming(env: Environment, name: string): string {
  return CHANNELS.map((channel) => CHANNEL_SETTINGS[channel])
    .filter((setting) => (env[setting] as string[] | undefined)?.includes(name))
    .join(' and ');
}

/** Each channel's providers can deliver on it; CHANNEL_ORDER names each country once and only channels with providers. */
function channelProblems(env: Environment): string[] {
  const problems: string[] = [];
  for (const channel of CHANNELS) {
    const setting = CHANNEL_SETTINGS[channel];
    for (const name of (env[setting] as SmsProviderName[] | undefined) ?? []) {
      if (PROVIDER_CHANNELS[name] !== undefined && !PROVIDER_CHANNELS[name].includes(channel)) {
        problems.push(`${setting} names ${name}, which cannot deliver by ${channel} (it can: ${PROVIDER_CHANNELS[name].join(', ')})`);
      }
    }
  }
  const countries = new Set<string>();
  for (const entry of env.CHANNEL_ORDER ?? []) {
    const [country, channels = ''] = entry.split(':');
    if (countries.has(country)) problems.push(`CHANNEL_ORDER names ${country} twice`);
    countries.add(country);
    for (const channel of channels.split('+') as Channel[]) {
      const setting = CHANNEL_SETTINGS[channel];
      if (setting !== undefined && ((env[setting] as string[] | undefined) ?? []).length === 0) {
        problems.push(`CHANNEL_ORDER offers ${channel} for ${country}, but ${setting} names no provider`);
      }
    }
  }
  return problems;
}

/** CHANNEL_ORDER as a map; `*` defaults to every channel that has providers. */
function channelOrderOf(entries: string[], providers: Record<Channel, string[]>): Map<string, Channel[]> {
  const order = new Map<string, Channel[]>([[ANY_COUNTRY, CHANNELS.filter((channel) => providers[channel].length > 0)]]);
  for (const entry of entries) {
    const [country, channels] = entry.split(':');
    order.set(country, [...new Set(channels.split('+') as Channel[])]);
  }
  return order;
}

/** Each provider's credentials and endpoints (empty strings where unset: only configured providers are built). */
function providerSettings(env: Environment) {
  return {
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
  };
}

export const providersConfig = defineConfig(
  'providers',
  ProvidersEnvironment,
  (env) => {
    const channelProviders: Record<Channel, SmsProviderName[]> = { sms: env.SMS_PROVIDERS, whatsapp: env.WHATSAPP_PROVIDERS, voice: env.VOICE_PROVIDERS };
    return {
      /** Failover order for every country without a route of its own. */
      smsProviders: env.SMS_PROVIDERS,
      /** Each channel's failover order (SMS: for countries without an SMS route); empty when not offered. */
      channelProviders,
      /** Country (or `*`) to the channels `auto` tries, in order. */
      channelOrder: channelOrderOf(env.CHANNEL_ORDER, channelProviders),
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
      /** Delivery receipts each provider may post (undefined: not taken from it). */
      receipts: receiptSettings(env),
      ...providerSettings(env),
    };
  },
  providerProblems,
);

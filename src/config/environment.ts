import { createPrivateKey } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export const NUMBER_TYPES = [
  'MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST',
  'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL',
] as const;
export const JWT_ALGORITHMS = ['ES256', 'RS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
export const SMS_PROVIDER_NAMES = ['console', 'outbox', 'sinch-verification', 'sinch-sms', 'startmessaging', 'webhook'] as const;
export type SmsProviderName = (typeof SMS_PROVIDER_NAMES)[number];

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
    : value;
const toUpper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
const urlOptions = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * The whole environment of the service, as DESIGN.md "Configuration names" lists it.
 * Validated once per boot; every problem is reported in one message.
 */
export class Environment {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl(urlOptions)
  @Matches(/[^/]$/, { message: 'PUBLIC_URL must not end with "/"' })
  PUBLIC_URL?: string;

  /** The demo login page at `/`; default on outside production. */
  @Transform(({ value }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsOptional()
  @IsBoolean({ message: 'DEMO_PAGE must be true or false' })
  DEMO_PAGE?: boolean;

  /** On SIGTERM, how long readiness answers 503 while requests are still served, before closing. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(8000)
  SHUTDOWN_DRAIN_MS = 2000;

  /** Origins allowed to call the API from a browser, comma-separated; none: no CORS headers at all. */
  @Transform(toList)
  @IsArray()
  @IsUrl(urlOptions, { each: true, message: 'CORS_ORIGINS must list origins such as https://app.example.com' })
  CORS_ORIGINS: string[] = [];

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'log';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Redis Cluster seed nodes, `host:port,host:port`. */
  @Transform(toList)
  @IsArray()
  @Matches(/^[^:,\s]+:\d{1,5}$/, { each: true, message: 'REDIS_CLUSTER_NODES entries must be host:port' })
  REDIS_CLUSTER_NODES: string[] = [];

  /** Redis Sentinels, `host:port,host:port`, watching the master named REDIS_SENTINEL_NAME. */
  @Transform(toList)
  @IsArray()
  @Matches(/^[^:,\s]+:\d{1,5}$/, { each: true, message: 'REDIS_SENTINELS entries must be host:port' })
  REDIS_SENTINELS: string[] = [];

  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'REDIS_SENTINEL_NAME must be a master name such as mymaster' })
  REDIS_SENTINEL_NAME = 'mymaster';

  @Matches(/^[A-Za-z0-9:_-]*$/, { message: 'REDIS_KEY_PREFIX may hold only letters, digits, ":", "_" and "-"' })
  REDIS_KEY_PREFIX = 'phone-auth:';

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  REDIS_COMMAND_TIMEOUT_MS = 2000;

  @Transform(toInt)
  @IsInt()
  @Min(6)
  @Max(10)
  OTP_CODE_LENGTH = 6;

  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(600)
  OTP_TTL_SECONDS = 300;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  OTP_MAX_ATTEMPTS = 5;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  OTP_RESEND_COOLDOWN_SECONDS = 30;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  OTP_PHONE_MAX_FAILURES = 20;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(604800)
  OTP_PHONE_FAILURE_WINDOW_SECONDS = 86400;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  OTP_PHONE_MAX_SENDS_PER_HOUR = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  OTP_PHONE_MAX_SENDS_PER_DAY = 10;

  /** `false` (default: the socket's address), `true`, a hop count, or a comma list of trusted proxy addresses/CIDRs. */
  @IsString()
  @Matches(/^(true|false|\d{1,2}|[0-9a-fA-F:./,\s]+)$/, { message: 'TRUST_PROXY must be true, false, a hop count, or proxy addresses/CIDRs' })
  TRUST_PROXY = 'false';

  @Transform(toInt) @IsInt() @Min(1) @Max(100000) RATE_LIMIT_SEND_PER_IP = 20;
  @Transform(toInt) @IsInt() @Min(1) @Max(86400) RATE_LIMIT_SEND_WINDOW_SECONDS = 600;
  @Transform(toInt) @IsInt() @Min(1) @Max(100000) RATE_LIMIT_VERIFY_PER_IP = 30;
  @Transform(toInt) @IsInt() @Min(1) @Max(86400) RATE_LIMIT_VERIFY_WINDOW_SECONDS = 300;
  @Transform(toInt) @IsInt() @Min(1) @Max(100000) RATE_LIMIT_REFRESH_PER_IP = 150;
  @Transform(toInt) @IsInt() @Min(1) @Max(86400) RATE_LIMIT_REFRESH_WINDOW_SECONDS = 300;

  /** Requests per hour of each API-key client, `name:limit`; `*:limit` for all; none: unlimited. */
  @Transform(toList)
  @IsArray()
  @Matches(/^[A-Za-z0-9_.*-]{1,64}:\d{1,9}$/, { each: true, message: 'API_CLIENT_QUOTAS entries must be name:requests-per-hour' })
  API_CLIENT_QUOTAS: string[] = [];

  @Transform(toList)
  @Transform(({ value }) => (Array.isArray(value) ? value.map((item) => String(item).toUpperCase()) : value))
  @IsArray()
  @IsISO31661Alpha2({ each: true, message: 'ALLOWED_COUNTRIES must list ISO 3166-1 alpha-2 codes' })
  ALLOWED_COUNTRIES: string[] = [];

  @Transform(toList)
  @Transform(({ value }) => (Array.isArray(value) ? value.map((item) => String(item).toUpperCase()) : value))
  @IsArray()
  @IsISO31661Alpha2({ each: true, message: 'DENIED_COUNTRIES must list ISO 3166-1 alpha-2 codes' })
  DENIED_COUNTRIES: string[] = [];

  /** libphonenumber-js types refused before any SMS. */
  @Transform(toList)
  @IsArray()
  @IsIn(NUMBER_TYPES, { each: true, message: `BLOCKED_NUMBER_TYPES may name only ${NUMBER_TYPES.join(', ')}` })
  BLOCKED_NUMBER_TYPES: string[] = ['PREMIUM_RATE', 'SHARED_COST', 'TOLL_FREE', 'PAGER', 'UAN', 'VOICEMAIL'];

  /** Sends per hour per country, `IN:1000,GB:200`; countries not listed are unlimited. */
  @Transform(toList)
  @IsArray()
  @Matches(/^[A-Z]{2}:\d{1,9}$/, { each: true, message: 'COUNTRY_SEND_BUDGETS entries must be CC:sends-per-hour' })
  COUNTRY_SEND_BUDGETS: string[] = [];

  @Transform(toInt) @IsInt() @Min(60) @Max(86400) PREFIX_BREAKER_WINDOW_SECONDS = 3600;
  @Transform(toInt) @IsInt() @Min(1) @Max(100000) PREFIX_BREAKER_MIN_SENDS = 20;
  /** Percent of sends that must be verified within the window. */
  @Transform(toInt) @IsInt() @Min(0) @Max(100) PREFIX_BREAKER_MIN_CONVERSION_PERCENT = 20;
  @Transform(toInt) @IsInt() @Min(60) @Max(604800) PREFIX_BREAKER_BLOCK_SECONDS = 43200;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'OTP_HMAC_SECRET must be at least 32 characters (openssl rand -base64 32)' })
  OTP_HMAC_SECRET?: string;

  @Transform(emptyToUndefined)
  @Transform(toUpper)
  @IsOptional()
  @IsISO31661Alpha2({ message: 'DEFAULT_COUNTRY must be an ISO 3166-1 alpha-2 code such as IN or US' })
  DEFAULT_COUNTRY?: string;

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

  @Transform(emptyToUndefined) @IsOptional() @IsString() SINCH_APPLICATION_KEY?: string;
  @Transform(emptyToUndefined) @IsOptional() @IsString() SINCH_APPLICATION_SECRET?: string;
  @IsUrl(urlOptions)
  @Matches(/[^/]$/, { message: 'SINCH_VERIFICATION_BASE_URL must not end with "/"' })
  SINCH_VERIFICATION_BASE_URL = 'https://verification.api.sinch.com';
  @Transform(emptyToUndefined) @IsOptional() @IsString() SINCH_PROJECT_ID?: string;
  @Transform(emptyToUndefined) @IsOptional() @IsString() SINCH_KEY_ID?: string;
  @Transform(emptyToUndefined) @IsOptional() @IsString() SINCH_KEY_SECRET?: string;
  @IsUrl(urlOptions)
  @Matches(/[^/]$/, { message: 'SINCH_SMS_BASE_URL must not end with "/"' })
  SINCH_SMS_BASE_URL = 'https://us.sms.api.sinch.com';
  @IsUrl(urlOptions)
  @Matches(/[^/]$/, { message: 'SINCH_AUTH_BASE_URL must not end with "/"' })
  SINCH_AUTH_BASE_URL = 'https://auth.sinch.com';
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MaxLength(16) SINCH_SMS_FROM?: string;
  @Transform(emptyToUndefined) @IsOptional() @IsString() STARTMESSAGING_API_KEY?: string;
  @IsUrl(urlOptions)
  @Matches(/[^/]$/, { message: 'STARTMESSAGING_BASE_URL must not end with "/"' })
  STARTMESSAGING_BASE_URL = 'https://api.startmessaging.com';
  @Transform(emptyToUndefined) @IsOptional() @IsUrl(urlOptions) SMS_WEBHOOK_URL?: string;
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'SMS_WEBHOOK_SECRET must be at least 32 characters (openssl rand -base64 32)' })
  SMS_WEBHOOK_SECRET?: string;

  @IsIn(JWT_ALGORITHMS)
  JWT_ALGORITHM: (typeof JWT_ALGORITHMS)[number] = 'ES256';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Matches(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, { message: 'JWT_PRIVATE_KEY must be a PEM private key' })
  JWT_PRIVATE_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_PRIVATE_KEY_FILE?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  JWT_AUDIENCE?: string;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS = 600;

  @Transform(toInt)
  @IsInt()
  @Min(300)
  @Max(31536000)
  REFRESH_TOKEN_TTL_SECONDS = 2592000;

  @Transform(toInt)
  @IsInt()
  @Min(300)
  @Max(31536000)
  REFRESH_TOKEN_IDLE_TTL_SECONDS = 2592000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10)
  REFRESH_TOKEN_REUSE_GRACE_SECONDS = 10;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_PUBLIC_KEYS_FILE?: string;

  @Transform(toList)
  @IsArray()
  @Matches(/^[A-Za-z0-9_.-]{1,64}:[0-9a-f]{64}$/, {
    each: true,
    message: 'API_KEYS entries must be name:sha256-hex (npm run apikey -- NAME prints one)',
  })
  API_KEYS: string[] = [];
}

/** The issuer and default audience: PUBLIC_URL, or the local address. */
export function publicUrlOf(env: Environment): string {
  return env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;
}

export class EnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'EnvironmentError';
  }
}

const GENERATE_SECRET = 'openssl rand -base64 32';
const GENERATE_KEY = 'npm run keys:generate';

/**
 * Validates the environment and the rules that span several settings: a shared store needs
 * shared secrets, and production refuses every development-only default.
 * Throws one EnvironmentError that lists every problem found.
 */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const known = Object.fromEntries(
    environmentNames().map((key) => [key, raw[key]]).filter(([, value]) => value !== undefined),
  );
  // Each config namespace asks at boot; the same environment is validated once.
  const fingerprint = JSON.stringify(known) + JSON.stringify(NOT_YET_SUPPORTED.map((name) => raw[name]));
  if (cache?.fingerprint === fingerprint) return cache.env;
  const env = check(known, raw);
  cache = { fingerprint, env };
  return env;
}

let cache: { fingerprint: string; env: Environment } | undefined;

/** Settings of DESIGN.md whose features are not built yet: refused rather than silently ignored. */
const NOT_YET_SUPPORTED: string[] = [];

function check(known: Record<string, unknown>, raw: Record<string, unknown>): Environment {
  const env = plainToInstance(Environment, known);
  const problems = validateSync(env, { forbidUnknownValues: true, stopAtFirstError: true }).flatMap(describeError);

  for (const name of NOT_YET_SUPPORTED) {
    if (raw[name] !== undefined && raw[name] !== '') problems.push(`${name} is not supported by this version yet: unset it`);
  }
  if (env.JWT_PRIVATE_KEY !== undefined && !parsesAsPrivateKey(env.JWT_PRIVATE_KEY.replaceAll('\\n', '\n'))) {
    problems.push('JWT_PRIVATE_KEY is not a readable PEM private key');
  }
  const stores = [
    env.REDIS_URL !== undefined && 'REDIS_URL',
    (env.REDIS_CLUSTER_NODES ?? []).length > 0 && 'REDIS_CLUSTER_NODES',
    (env.REDIS_SENTINELS ?? []).length > 0 && 'REDIS_SENTINELS',
  ].filter(Boolean);
  if (stores.length > 1) problems.push(`set only one of ${stores.join(', ')}`);
  const sharedStore = stores.length > 0;
  const hasKey = env.JWT_PRIVATE_KEY !== undefined || env.JWT_PRIVATE_KEY_FILE !== undefined;
  if (env.JWT_PRIVATE_KEY !== undefined && env.JWT_PRIVATE_KEY_FILE !== undefined) {
    problems.push('set JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE, not both');
  }
  for (const name of ['JWT_PRIVATE_KEY_FILE', 'JWT_PUBLIC_KEYS_FILE'] as const) {
    const path = env[name];
    if (path !== undefined && !readable(path)) problems.push(`${name} names a file that cannot be read: ${path}`);
  }
  const clientNames = (env.API_KEYS ?? []).map((entry) => entry.split(':')[0]);
  if (new Set(clientNames).size !== clientNames.length) problems.push('API_KEYS names a client twice');
  if (sharedStore && env.OTP_HMAC_SECRET === undefined) {
    problems.push(`OTP_HMAC_SECRET is required with a shared store (Redis); generate one with: ${GENERATE_SECRET}`);
  }
  if (sharedStore && !hasKey) {
    problems.push(
      `JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE is required with a shared store (Redis); generate one with: ${GENERATE_KEY}`,
    );
  }
  if (env.NODE_ENV === 'production') {
    if (!sharedStore) problems.push('NODE_ENV=production needs a shared store: set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS');
    if (!hasKey) problems.push(`NODE_ENV=production needs a signing key: set JWT_PRIVATE_KEY_FILE (${GENERATE_KEY})`);
    if (env.OTP_RESEND_COOLDOWN_SECONDS < 30) {
      problems.push('NODE_ENV=production needs OTP_RESEND_COOLDOWN_SECONDS of 30 or more (it bounds SMS per phone)');
    }
    for (const name of env.SMS_PROVIDERS ?? []) {
      if (name === 'console' || name === 'outbox') {
        problems.push(`NODE_ENV=production refuses the development-only SMS provider "${name}": change SMS_PROVIDERS`);
      }
    }
  }
  problems.push(...providerProblems(env));
  if (problems.length > 0) throw new EnvironmentError(problems);
  return env;
}

/** Every variable the service reads. */
export function environmentNames(): string[] {
  return [...new Set(Object.keys(new Environment()).concat(optionalKeys))];
}

// Optional settings have no initializer, so Object.keys(new Environment()) misses them.
const optionalKeys = [
  'PUBLIC_URL',
  'REDIS_URL',
  'OTP_HMAC_SECRET',
  'DEFAULT_COUNTRY',
  'JWT_PRIVATE_KEY',
  'JWT_PRIVATE_KEY_FILE',
  'JWT_AUDIENCE',
  'JWT_PUBLIC_KEYS_FILE',
  'DEMO_PAGE',
  'SINCH_APPLICATION_KEY',
  'SINCH_APPLICATION_SECRET',
  'SINCH_PROJECT_ID',
  'SINCH_KEY_ID',
  'SINCH_KEY_SECRET',
  'SINCH_SMS_FROM',
  'STARTMESSAGING_API_KEY',
  'SMS_WEBHOOK_URL',
  'SMS_WEBHOOK_SECRET',
];

const PROVIDER_SETTINGS: Record<SmsProviderName, (keyof Environment)[]> = {
  console: [],
  outbox: [],
  'sinch-verification': ['SINCH_APPLICATION_KEY', 'SINCH_APPLICATION_SECRET'],
  'sinch-sms': ['SINCH_PROJECT_ID', 'SINCH_KEY_ID', 'SINCH_KEY_SECRET'],
  startmessaging: ['STARTMESSAGING_API_KEY'],
  webhook: ['SMS_WEBHOOK_URL', 'SMS_WEBHOOK_SECRET'],
};

/** Each configured provider has its credentials; routes name only configured providers. */
function providerProblems(env: Environment): string[] {
  const problems: string[] = [];
  const configured = new Set<string>(env.SMS_PROVIDERS ?? []);
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
  if ((env.ALLOWED_COUNTRIES ?? []).length > 0 && (env.DENIED_COUNTRIES ?? []).length > 0) {
    problems.push('set ALLOWED_COUNTRIES or DENIED_COUNTRIES, not both');
  }
  for (const entry of env.TEST_PHONE_NUMBERS ?? []) {
    const code = entry.split(':')[1] ?? '';
    if (code.length !== env.OTP_CODE_LENGTH) {
      problems.push(`TEST_PHONE_NUMBERS: the code of ${entry.split(':')[0]} must have OTP_CODE_LENGTH (${env.OTP_CODE_LENGTH}) digits`);
    }
  }
  return problems;
}

function parsesAsPrivateKey(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function describeError(error: ValidationError): string[] {
  const own = Object.values(error.constraints ?? {}).map((message) =>
    message.startsWith(error.property) ? message : `${error.property}: ${message}`,
  );
  return own.concat((error.children ?? []).flatMap(describeError));
}

import { createPrivateKey } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsArray,
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
export const JWT_ALGORITHMS = ['ES256', 'RS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
/** Providers implemented so far; the others of DESIGN.md arrive with their adapters. */
export const SMS_PROVIDER_NAMES = ['console', 'outbox'] as const;
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

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'log';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

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
const NOT_YET_SUPPORTED = [
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_NAME',
  'REDIS_CLUSTER_NODES',
  'ALLOWED_COUNTRIES',
  'DENIED_COUNTRIES',
  'TRUST_PROXY',
  'CORS_ORIGINS',
  'TEST_PHONE_NUMBERS',
];

function check(known: Record<string, unknown>, raw: Record<string, unknown>): Environment {
  const env = plainToInstance(Environment, known);
  const problems = validateSync(env, { forbidUnknownValues: true, stopAtFirstError: true }).flatMap(describeError);

  for (const name of NOT_YET_SUPPORTED) {
    if (raw[name] !== undefined && raw[name] !== '') problems.push(`${name} is not supported by this version yet: unset it`);
  }
  if (env.JWT_PRIVATE_KEY !== undefined && !parsesAsPrivateKey(env.JWT_PRIVATE_KEY.replaceAll('\\n', '\n'))) {
    problems.push('JWT_PRIVATE_KEY is not a readable PEM private key');
  }
  const sharedStore = env.REDIS_URL !== undefined;
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
    problems.push(`OTP_HMAC_SECRET is required with a shared store (REDIS_URL); generate one with: ${GENERATE_SECRET}`);
  }
  if (sharedStore && !hasKey) {
    problems.push(
      `JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE is required with a shared store (REDIS_URL); generate one with: ${GENERATE_KEY}`,
    );
  }
  if (env.NODE_ENV === 'production') {
    if (!sharedStore) problems.push('NODE_ENV=production needs a shared store: set REDIS_URL');
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
  if (problems.length > 0) throw new EnvironmentError(problems);
  return env;
}

/** Every variable the service reads. */
export function environmentNames(): string[] {
  return Object.keys(new Environment()).concat(optionalKeys);
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
];

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

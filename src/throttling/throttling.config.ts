import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsISO31661Alpha2, IsString, Matches, Max, Min } from 'class-validator';
import { defineConfig } from '../config/define-config.js';
import { toInt, toList, toUpperEach } from '../config/env-transforms.js';
import { FRAUD_RULES, ruleModesOf, RULE_MODES, SafeList } from './fraud-rules.js';

export const NUMBER_TYPES = [
  'MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST',
  'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL',
] as const;

const HOUR_MS = 3_600_000;

/** Per-IP and per-client limits, and the fraud guard's rules. */
export class ThrottlingEnvironment {
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
  @Transform(toUpperEach)
  @IsArray()
  @IsISO31661Alpha2({ each: true, message: 'ALLOWED_COUNTRIES must list ISO 3166-1 alpha-2 codes' })
  ALLOWED_COUNTRIES: string[] = [];

  @Transform(toList)
  @Transform(toUpperEach)
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

  /** Numbers (`+447700900123`) and prefixes (`+4477009*`) the fraud rules never refuse. */
  @Transform(toList)
  @IsArray()
  @Matches(/^\+[1-9](\d{6,14}|\d{0,13}\*)$/, { each: true, message: 'FRAUD_SAFE_LIST entries must be E.164 numbers or prefixes ending in * (+4477009*)' })
  FRAUD_SAFE_LIST: string[] = [];

  /** `rule=enforce|monitor` for countries, number_types, country_budgets, prefix_breaker; default enforce. */
  @Transform(toList)
  @IsArray()
  @Matches(new RegExp(`^(${FRAUD_RULES.join('|')})=(${RULE_MODES.join('|')})$`), {
    each: true,
    message: `FRAUD_RULE_MODES entries must be rule=enforce|monitor, rule one of ${FRAUD_RULES.join(', ')}`,
  })
  FRAUD_RULE_MODES: string[] = [];
}

export const throttlingConfig = defineConfig(
  'throttling',
  ThrottlingEnvironment,
  (env) => ({
    /** Fastify's trustProxy: whose X-Forwarded-For is believed. */
    trustProxy: trustProxyOf(env.TRUST_PROXY),
    perIp: {
      send: { limit: env.RATE_LIMIT_SEND_PER_IP, ttlMs: env.RATE_LIMIT_SEND_WINDOW_SECONDS * 1000 },
      verify: { limit: env.RATE_LIMIT_VERIFY_PER_IP, ttlMs: env.RATE_LIMIT_VERIFY_WINDOW_SECONDS * 1000 },
      refresh: { limit: env.RATE_LIMIT_REFRESH_PER_IP, ttlMs: env.RATE_LIMIT_REFRESH_WINDOW_SECONDS * 1000 },
    },
    /** Requests per hour per API-key client; `*` applies to clients without their own entry. */
    clientQuotas: new Map(env.API_CLIENT_QUOTAS.map((entry) => [entry.split(':')[0], Number(entry.split(':')[1])])),
    clientQuotaWindowMs: HOUR_MS,
    allowedCountries: new Set(env.ALLOWED_COUNTRIES),
    deniedCountries: new Set(env.DENIED_COUNTRIES),
    blockedNumberTypes: new Set(env.BLOCKED_NUMBER_TYPES),
    countryBudgetsPerHour: new Map(env.COUNTRY_SEND_BUDGETS.map((entry) => [entry.split(':')[0], Number(entry.split(':')[1])])),
    prefixBreaker: {
      windowMs: env.PREFIX_BREAKER_WINDOW_SECONDS * 1000,
      minSends: env.PREFIX_BREAKER_MIN_SENDS,
      minConversion: env.PREFIX_BREAKER_MIN_CONVERSION_PERCENT / 100,
      blockMs: env.PREFIX_BREAKER_BLOCK_SECONDS * 1000,
      // A block renews when attempts into it keep the rate that tripped it: minSends per window.
      renewMinAttempts: Math.max(1, Math.ceil((env.PREFIX_BREAKER_MIN_SENDS * env.PREFIX_BREAKER_BLOCK_SECONDS) / env.PREFIX_BREAKER_WINDOW_SECONDS)),
    },
    safeList: new SafeList(env.FRAUD_SAFE_LIST),
    ruleModes: ruleModesOf(env.FRAUD_RULE_MODES),
  }),
  (env) =>
    (env.ALLOWED_COUNTRIES ?? []).length > 0 && (env.DENIED_COUNTRIES ?? []).length > 0
      ? ['set ALLOWED_COUNTRIES or DENIED_COUNTRIES, not both']
      : [],
);

/**
 * TRUST_PROXY as Fastify's trustProxy option. Fastify takes a hop count too, which the Nest
 * adapter's type omits: hence the cast.
 */
export function trustProxyOf(value: string): boolean | string[] {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value) as unknown as boolean;
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

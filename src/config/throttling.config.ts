import { registerAs } from '@nestjs/config';
import { validateEnvironment } from './environment.js';

const HOUR_MS = 3_600_000;

export const throttlingConfig = registerAs('throttling', () => {
  const env = validateEnvironment(process.env);
  return {
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
    },
  };
});

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

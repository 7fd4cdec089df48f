import { Transform } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsISO31661Alpha2, IsOptional, IsUrl, Matches, Max, Min } from 'class-validator';
import { defineConfig } from './define-config.js';
import type { Environment } from './environment.js';
import { emptyToUndefined, toBoolean, toInt, toList, toUpper, URL_OPTIONS } from './env-transforms.js';
import { sharedSettingsReason } from '../redis/redis.config.js';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Settings of the whole process: where it listens, who it is, what it logs. */
export class AppEnvironment {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @Matches(/[^/]$/, { message: 'PUBLIC_URL must not end with "/"' })
  PUBLIC_URL?: string = undefined;

  /** The demo login page at `/`; default on outside production. */
  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean({ message: 'DEMO_PAGE must be true or false' })
  DEMO_PAGE?: boolean = undefined;

  /** On SIGTERM, how long readiness answers 503 while requests are still served, before closing. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(8000)
  SHUTDOWN_DRAIN_MS = 2000;

  /** Origins allowed to call the API from a browser, comma-separated; none: no CORS headers at all. */
  @Transform(toList)
  @IsArray()
  @IsUrl(URL_OPTIONS, { each: true, message: 'CORS_ORIGINS must list origins such as https://app.example.com' })
  CORS_ORIGINS: string[] = [];

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'log';

  @Transform(emptyToUndefined)
  @Transform(toUpper)
  @IsOptional()
  @IsISO31661Alpha2({ message: 'DEFAULT_COUNTRY must be an ISO 3166-1 alpha-2 code such as IN or US' })
  DEFAULT_COUNTRY?: string = undefined;
}

/** The issuer and default audience: PUBLIC_URL, or the local address. */
export function publicUrlOf(env: Pick<Environment, 'PUBLIC_URL' | 'PORT'>): string {
  return env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;
}

/**
 * Every instance on a shared store must call itself by one name: it is the issuer and audience of
 * the tokens, and each instance refuses a token naming another. The port-based default differs
 * per instance.
 */
function publicUrlProblems(env: Environment): string[] {
  const reason = sharedSettingsReason(env);
  if (env.PUBLIC_URL !== undefined || reason === undefined) return [];
  return [
    `PUBLIC_URL is required ${reason}: it is the issuer and audience of every token and must be the same on every instance ' +
      '(without it each instance names itself http://localhost:PORT and refuses the tokens of the others); set the URL clients reach, such as https://auth.example.com`,
  ];
}

export const appConfig = defineConfig('app', AppEnvironment, (env) => ({
  port: env.PORT,
  nodeEnv: env.NODE_ENV,
  production: env.NODE_ENV === 'production',
  publicUrl: publicUrlOf(env),
  logLevel: env.LOG_LEVEL,
  defaultCountry: env.DEFAULT_COUNTRY,
  demoPage: env.DEMO_PAGE ?? env.NODE_ENV !== 'production',
  shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
  corsOrigins: env.CORS_ORIGINS,
}), publicUrlProblems);

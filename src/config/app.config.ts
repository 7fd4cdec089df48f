import { Transform } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, isFQDN, isIP, IsISO31661Alpha2, IsOptional, IsUrl, Matches, Max, Min, ValidateBy } from 'class-validator';
import { defineConfig } from './define-config.js';
import type { Environment } from './environment.js';
import { emptyToUndefined, toBoolean, toInt, toList, toUpper, URL_OPTIONS } from './env-transforms.js';
import { sharedSettingsReason } from '../redis/redis.config.js';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;

/** pino's (and most tools') names for Nest's `log` and `verbose`, accepted as LOG_LEVEL too. */
export const LOG_LEVEL_ALIASES: ReadonlyMap<string, (typeof LOG_LEVELS)[number]> = new Map([
  ['info', 'log'],
  ['trace', 'verbose'],
]);

const toLogLevel = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? (LOG_LEVEL_ALIASES.get(value.trim().toLowerCase()) ?? value.trim().toLowerCase()) : value;

/** An address to listen on: an IP address, or a host name such as localhost. */
const IsListenHost = () =>
  ValidateBy({
    name: 'isListenHost',
    validator: {
      validate: (value) => typeof value === 'string' && (isIP(value) || isFQDN(value, { require_tld: false, allow_underscores: false })),
      defaultMessage: () =>
        'HOST must be an IP address to listen on (0.0.0.0: every IPv4 interface, :: every interface, 127.0.0.1: this machine only) or a host name such as localhost',
    },
  });

/** Settings of the whole process: where it listens, who it is, what it logs. */
export class AppEnvironment {
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  /** The address the HTTP server listens on; 0.0.0.0 (every IPv4 interface) as a container needs. */
  @IsListenHost()
  HOST = '0.0.0.0';

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

  @Transform(toLogLevel)
  @IsIn(LOG_LEVELS, { message: 'LOG_LEVEL must be one of fatal, error, warn, log (or info), debug, verbose (or trace)' })
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
    `PUBLIC_URL is required ${reason}: it is the issuer and audience of every token and must be the same on every instance ` +
      `(without it each instance names itself http://localhost:PORT and refuses the tokens of the others); set the URL clients reach, such as https://auth.example.com`,
  ];
}

export const appConfig = defineConfig('app', AppEnvironment, (env) => ({
  port: env.PORT,
  host: env.HOST,
  nodeEnv: env.NODE_ENV,
  production: env.NODE_ENV === 'production',
  publicUrl: publicUrlOf(env),
  logLevel: env.LOG_LEVEL,
  defaultCountry: env.DEFAULT_COUNTRY,
  demoPage: env.DEMO_PAGE ?? env.NODE_ENV !== 'production',
  shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
  corsOrigins: env.CORS_ORIGINS,
}), publicUrlProblems);

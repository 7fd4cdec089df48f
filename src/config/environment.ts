import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationError } from 'class-validator';
import type { ConfigSection } from './define-config.js';
import { captchaConfig, type CaptchaEnvironment } from '../captcha/captcha.config.js';
import { clientsConfig, type ClientsEnvironment } from '../clients/clients.config.js';
import { eventsConfig, type EventsEnvironment } from '../events/events.config.js';
import { secretsConfig, type SecretsEnvironment } from '../common/secrets/secrets.config.js';
import { otpConfig, type OtpEnvironment } from '../otp/otp.config.js';
import { providersConfig, type ProvidersEnvironment } from '../providers/providers.config.js';
import { redisConfig, type RedisEnvironment } from '../redis/redis.config.js';
import { sessionsConfig, type SessionsEnvironment } from '../sessions/sessions.config.js';
import { throttlingConfig, type ThrottlingEnvironment } from '../throttling/throttling.config.js';
import { appConfig, type AppEnvironment } from './app.config.js';

/**
 * Every module's configuration, in the order its problems are listed. Each module declares its
 * variables and rules beside its code; this list is the only place that names them all.
 */
export const CONFIG_SECTIONS = [
  appConfig,
  redisConfig,
  secretsConfig,
  sessionsConfig,
  otpConfig,
  throttlingConfig,
  providersConfig,
  clientsConfig,
  captchaConfig,
  eventsConfig,
] as const;

/** The whole environment of the service, as DESIGN.md "Configuration names" lists it. */
export type Environment = AppEnvironment &
  RedisEnvironment &
  SecretsEnvironment &
  SessionsEnvironment &
  OtpEnvironment &
  ThrottlingEnvironment &
  ProvidersEnvironment &
  ClientsEnvironment &
  CaptchaEnvironment &
  EventsEnvironment;

export class EnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'EnvironmentError';
  }
}

/**
 * Validates the environment once per boot: every module's variables, then the rules that span
 * several settings (a shared store needs shared secrets; production refuses every
 * development-only default). Throws one EnvironmentError that lists every problem found.
 */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const problems: string[] = [];
  const env = {} as Environment;
  for (const section of CONFIG_SECTIONS as readonly ConfigSection[]) {
    const names = Object.keys(new section.variables());
    const known = Object.fromEntries(names.map((name) => [name, raw[name]]).filter(([, value]) => value !== undefined));
    const variables = plainToInstance(section.variables, known);
    problems.push(...validateSync(variables, { forbidUnknownValues: true, stopAtFirstError: true }).flatMap(describeError));
    Object.assign(env, variables);
  }
  for (const section of CONFIG_SECTIONS) problems.push(...section.rules(env));
  if (problems.length > 0) throw new EnvironmentError(problems);
  return env;
}

/** Every variable the service reads. */
export function environmentNames(): string[] {
  return CONFIG_SECTIONS.flatMap((section) => Object.keys(new section.variables()));
}

function describeError(error: ValidationError): string[] {
  const range = integerRangeOf(error);
  if (range !== undefined) return [`${error.property} must be an integer from ${range.min} to ${range.max}`];
  const own = Object.values(error.constraints ?? {}).map((message) =>
    message.startsWith(error.property) ? message : `${error.property}: ${message}`,
  );
  return own.concat((error.children ?? []).flatMap(describeError));
}

/**
 * The bounds of an integer setting that failed any of its checks. The checks run last-declared
 * first, so `PORT=abc` failed on Max ("must not be greater than 65535"): an integer setting
 * states its whole range instead, whatever check refused it.
 */
function integerRangeOf(error: ValidationError): { min: number; max: number } | undefined {
  const failed = Object.keys(error.constraints ?? {});
  if (error.target === undefined || !failed.some((name) => ['isInt', 'min', 'max'].includes(name))) return undefined;
  const checks = getMetadataStorage()
    .getTargetValidationMetadatas(error.target.constructor, '', true, false)
    .filter((check) => check.propertyName === error.property);
  const bound = (name: string) => checks.find((check) => check.name === name)?.constraints[0] as number | undefined;
  const [min, max] = [bound('min'), bound('max')];
  return checks.some((check) => check.name === 'isInt') && min !== undefined && max !== undefined ? { min, max } : undefined;
}

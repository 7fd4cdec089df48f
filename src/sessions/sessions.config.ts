import { createPrivateKey } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { publicUrlOf } from '../config/app.config.js';
import { defineConfig } from '../config/define-config.js';
import type { Environment } from '../config/environment.js';
import { emptyToUndefined, toBoolean, toInt } from '../config/env-transforms.js';
import { sharedSettingsReason } from '../redis/redis.config.js';

export const JWT_ALGORITHMS = ['ES256', 'RS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

const GENERATE_KEY = 'npm run keys:generate';

/** Signing keys, token lifetimes and the refresh-token rules. */
export class SessionsEnvironment {
  @IsIn(JWT_ALGORITHMS)
  JWT_ALGORITHM: JwtAlgorithm = 'ES256';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Matches(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, { message: 'JWT_PRIVATE_KEY must be a PEM private key' })
  JWT_PRIVATE_KEY?: string = undefined;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_PRIVATE_KEY_FILE?: string = undefined;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  JWT_AUDIENCE?: string = undefined;

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
  JWT_PUBLIC_KEYS_FILE?: string = undefined;

  // A receipt proves a fresh code for one action: minutes, never the life of a session.
  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(900)
  STEP_UP_RECEIPT_TTL_SECONDS = 300;

  // A number change ends the user's other sessions unless this is false (they then carry the new number).
  @Transform(toBoolean)
  @IsBoolean()
  PHONE_CHANGE_ENDS_SESSIONS = true;
}

/** The key is readable and fits; a shared store or production has one configured. */
function keyProblems(env: Environment): string[] {
  const problems: string[] = [];
  if (env.JWT_PRIVATE_KEY !== undefined && !parsesAsPrivateKey(env.JWT_PRIVATE_KEY.replaceAll('\\n', '\n'))) {
    problems.push('JWT_PRIVATE_KEY is not a readable PEM private key');
  }
  if (env.JWT_PRIVATE_KEY !== undefined && env.JWT_PRIVATE_KEY_FILE !== undefined) {
    problems.push('set JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE, not both');
  }
  for (const name of ['JWT_PRIVATE_KEY_FILE', 'JWT_PUBLIC_KEYS_FILE'] as const) {
    const path = env[name];
    if (path !== undefined && !readable(path)) problems.push(`${name} names a file that cannot be read: ${path}`);
  }
  const hasKey = env.JWT_PRIVATE_KEY !== undefined || env.JWT_PRIVATE_KEY_FILE !== undefined;
  const reason = sharedSettingsReason(env);
  // One problem whichever of the two reasons (store, production) holds: named once.
  if (reason !== undefined && !hasKey) {
    problems.push(`JWT_PRIVATE_KEY_FILE (or JWT_PRIVATE_KEY) is required ${reason}; generate one with: ${GENERATE_KEY}`);
  }
  return problems;
}

export const sessionsConfig = defineConfig(
  'sessions',
  SessionsEnvironment,
  (env) => ({
    issuer: publicUrlOf(env),
    audience: env.JWT_AUDIENCE ?? publicUrlOf(env),
    algorithm: env.JWT_ALGORITHM,
    privateKeyPem: env.JWT_PRIVATE_KEY,
    privateKeyFile: env.JWT_PRIVATE_KEY_FILE,
    publicKeysFile: env.JWT_PUBLIC_KEYS_FILE,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    /** Absolute life of a session, from login. */
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    /** A session unused (not refreshed) this long ends. */
    refreshTokenIdleTtlSeconds: env.REFRESH_TOKEN_IDLE_TTL_SECONDS,
    /** A just-rotated token presented again within this window is refused without revoking. */
    refreshTokenReuseGraceSeconds: env.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
    /** Life of a step-up receipt (`typ: step-up+jwt`). */
    stepUpReceiptTtlSeconds: env.STEP_UP_RECEIPT_TTL_SECONDS,
    /** A phone change ends the user's other sessions (else they are kept, moved to the new number). */
    phoneChangeEndsSessions: env.PHONE_CHANGE_ENDS_SESSIONS,
    /** Leeway on exp and iat when validating access tokens. */
    clockToleranceSeconds: 30,
  }),
  keyProblems,
);

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

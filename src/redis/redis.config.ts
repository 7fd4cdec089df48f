import type { ConnectionOptions } from 'node:tls';
import { Transform } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { defineConfig } from '../config/define-config.js';
import { readSecretFile, readSettingFile, type SettingFile } from '../config/env-files.js';
import type { Environment } from '../config/environment.js';
import { emptyToUndefined, toBoolean, toInt, toList } from '../config/env-transforms.js';

const HOST_PORT = /^[^:,=\s]+:\d{1,5}$/;

/** Where the shared store is; none of the three: the in-memory store of one process. */
export class RedisEnvironment {
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string = undefined;

  /** Redis Cluster seed nodes, `host:port,host:port`. */
  @Transform(toList)
  @IsArray()
  @Matches(HOST_PORT, { each: true, message: 'REDIS_CLUSTER_NODES entries must be host:port' })
  REDIS_CLUSTER_NODES: string[] = [];

  /** Redis Sentinels, `host:port,host:port`, watching the master named REDIS_SENTINEL_NAME. */
  @Transform(toList)
  @IsArray()
  @Matches(HOST_PORT, { each: true, message: 'REDIS_SENTINELS entries must be host:port' })
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

  /** TLS to every Redis node; a `rediss://` REDIS_URL turns it on too. Certificates are always verified. */
  @Transform(emptyToUndefined)
  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean({ message: 'REDIS_TLS must be true or false' })
  REDIS_TLS?: boolean = undefined;

  /** PEM CA certificate(s) the servers' certificates must chain to; unset: Node's public CAs. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  REDIS_TLS_CA_FILE?: string = undefined;

  /** Client certificate and key (PEM), for servers that require mutual TLS. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  REDIS_TLS_CERT_FILE?: string = undefined;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  REDIS_TLS_KEY_FILE?: string = undefined;

  /** The name the servers' certificates are checked against, when it differs from the address dialled. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[A-Za-z0-9*]([A-Za-z0-9.-]{0,252})$/, { message: 'REDIS_TLS_SERVERNAME must be a host name such as redis.example.com' })
  REDIS_TLS_SERVERNAME?: string = undefined;

  /** The ACL user of the data nodes (every node of a Cluster); unset with a password: the default user. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[^\s]{1,128}$/, { message: 'REDIS_USERNAME must be a user name without spaces' })
  REDIS_USERNAME?: string = undefined;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(512)
  REDIS_PASSWORD?: string = undefined;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  REDIS_PASSWORD_FILE?: string = undefined;

  /** TLS to the sentinels themselves; unset: as the data nodes (REDIS_TLS). */
  @Transform(emptyToUndefined)
  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean({ message: 'REDIS_SENTINEL_TLS must be true or false' })
  REDIS_SENTINEL_TLS?: boolean = undefined;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[^\s]{1,128}$/, { message: 'REDIS_SENTINEL_USERNAME must be a user name without spaces' })
  REDIS_SENTINEL_USERNAME?: string = undefined;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(512)
  REDIS_SENTINEL_PASSWORD?: string = undefined;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  REDIS_SENTINEL_PASSWORD_FILE?: string = undefined;

  /** Addresses a Cluster announces mapped to the ones this service reaches, `host:port=host:port,...`. */
  @Transform(toList)
  @IsArray()
  @Matches(/^[^:,=\s]+:\d{1,5}=[^:,=\s]+:\d{1,5}$/, {
    each: true,
    message: 'REDIS_CLUSTER_NAT_MAP entries must be announced-host:port=reachable-host:port',
  })
  REDIS_CLUSTER_NAT_MAP: string[] = [];
}

/** The store settings that are set, by name. */
function storesOf(env: Environment): string[] {
  return [
    env.REDIS_URL !== undefined && 'REDIS_URL',
    (env.REDIS_CLUSTER_NODES ?? []).length > 0 && 'REDIS_CLUSTER_NODES',
    (env.REDIS_SENTINELS ?? []).length > 0 && 'REDIS_SENTINELS',
  ].filter((name): name is string => typeof name === 'string');
}

/** Several instances share state: shared secrets must be configured, not generated. */
export function sharedStoreOf(env: Environment): boolean {
  return storesOf(env).length > 0;
}

/**
 * Why the settings every instance must share (PUBLIC_URL, OTP_HMAC_SECRET, the signing key) must
 * be configured, or undefined when they may default. Production wants a shared store, so it
 * wants them too: asked for in the same refusal as the store, not one boot later.
 */
export function sharedSettingsReason(env: Environment): string | undefined {
  if (sharedStoreOf(env)) return 'with a shared store (Redis)';
  return env.NODE_ENV === 'production' ? 'with NODE_ENV=production (which needs a shared store)' : undefined;
}

const hostPort = (entry: string) => {
  const [host, port] = entry.split(':');
  return { host, port: Number(port) };
};

/** TLS settings as node:tls takes them: the files' PEM text, never a switch that skips verification. */
export type RedisTlsOptions = Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'servername'>;

export interface RedisSettings {
  /** At most one of url, clusterNodes and sentinels is set; none: in-memory adapters (one process). */
  url: string | undefined;
  clusterNodes: { host: string; port: number }[];
  sentinels: { host: string; port: number }[];
  sentinelName: string;
  keyPrefix: string;
  commandTimeoutMs: number;
  /** TLS to the data nodes (every node of a Cluster, the master a Sentinel names); undefined: plain TCP. */
  tls?: RedisTlsOptions;
  /** The ACL user and password of the data nodes; a password alone authenticates the default user. */
  username?: string;
  password?: string;
  /** TLS and credentials for the sentinels themselves. */
  sentinelTls?: RedisTlsOptions;
  sentinelUsername?: string;
  sentinelPassword?: string;
  /** Announced Cluster addresses (`host:port`) to the ones this service reaches. */
  clusterNatMap?: Record<string, { host: string; port: number }>;
}

/** TLS is on with REDIS_TLS=true or a rediss:// REDIS_URL. */
const tlsOn = (env: Environment) => env.REDIS_TLS ?? env.REDIS_URL?.startsWith('rediss://') ?? false;
const sentinelTlsOn = (env: Environment) => env.REDIS_SENTINEL_TLS ?? tlsOn(env);

/** Every file the TLS and credential settings name, read once; their problems are boot problems. */
function filesOf(env: Environment): Partial<Record<RedisFileSetting, SettingFile>> {
  const files: Partial<Record<RedisFileSetting, SettingFile>> = {};
  for (const name of TLS_FILES) {
    const path = env[name];
    if (path !== undefined) files[name] = readSettingFile(name, path);
  }
  for (const name of SECRET_FILES) {
    const path = env[name];
    if (path !== undefined) files[name] = readSecretFile(name, path);
  }
  return files;
}

const TLS_FILES = ['REDIS_TLS_CA_FILE', 'REDIS_TLS_CERT_FILE', 'REDIS_TLS_KEY_FILE'] as const;
const SECRET_FILES = ['REDIS_PASSWORD_FILE', 'REDIS_SENTINEL_PASSWORD_FILE'] as const;
type RedisFileSetting = (typeof TLS_FILES)[number] | (typeof SECRET_FILES)[number];

const PEM = {
  REDIS_TLS_CA_FILE: /-----BEGIN CERTIFICATE-----/,
  REDIS_TLS_CERT_FILE: /-----BEGIN CERTIFICATE-----/,
  REDIS_TLS_KEY_FILE: /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
} as const;

function tlsOptions(env: Environment, files: ReturnType<typeof filesOf>): RedisTlsOptions {
  const options: RedisTlsOptions = {};
  if (files.REDIS_TLS_CA_FILE?.text !== undefined) options.ca = files.REDIS_TLS_CA_FILE.text;
  if (files.REDIS_TLS_CERT_FILE?.text !== undefined) options.cert = files.REDIS_TLS_CERT_FILE.text;
  if (files.REDIS_TLS_KEY_FILE?.text !== undefined) options.key = files.REDIS_TLS_KEY_FILE.text;
  if (env.REDIS_TLS_SERVERNAME !== undefined) options.servername = env.REDIS_TLS_SERVERNAME;
  return options;
}

function natMapOf(entries: string[]): Record<string, { host: string; port: number }> | undefined {
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map((entry) => entry.split('=')).map(([from, to]) => [from, hostPort(to)]));
}

function deriveRedis(env: Environment): RedisSettings {
  const files = filesOf(env);
  const tls = tlsOn(env) ? tlsOptions(env, files) : undefined;
  return {
    url: env.REDIS_URL,
    clusterNodes: env.REDIS_CLUSTER_NODES.map(hostPort),
    sentinels: env.REDIS_SENTINELS.map(hostPort),
    sentinelName: env.REDIS_SENTINEL_NAME,
    keyPrefix: env.REDIS_KEY_PREFIX,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    tls,
    username: env.REDIS_USERNAME,
    password: env.REDIS_PASSWORD ?? files.REDIS_PASSWORD_FILE?.text,
    sentinelTls: sentinelTlsOn(env) ? tlsOptions(env, files) : undefined,
    sentinelUsername: env.REDIS_SENTINEL_USERNAME,
    sentinelPassword: env.REDIS_SENTINEL_PASSWORD ?? files.REDIS_SENTINEL_PASSWORD_FILE?.text,
    clusterNatMap: natMapOf(env.REDIS_CLUSTER_NAT_MAP ?? []),
  };
}

/** The TLS and credential settings fit together, and every file they name is readable and holds PEM where it must. */
function securityProblems(env: Environment, stores: string[]): string[] {
  const problems: string[] = [];
  const files = filesOf(env);
  for (const [name, file] of Object.entries(files) as [RedisFileSetting, SettingFile][]) {
    if (file.problem !== undefined) problems.push(file.problem);
    else if (name in PEM && !PEM[name as keyof typeof PEM].test(file.text)) {
      problems.push(`${name} holds no PEM ${name === 'REDIS_TLS_KEY_FILE' ? 'private key' : 'certificate'}: ${env[name]}`);
    }
  }
  if (env.REDIS_TLS === false && env.REDIS_URL?.startsWith('rediss://')) problems.push('REDIS_TLS=false contradicts the rediss:// REDIS_URL');
  const tlsSettings = [...TLS_FILES, 'REDIS_TLS_SERVERNAME' as const].filter((name) => env[name] !== undefined);
  if (!tlsOn(env) && !sentinelTlsOn(env) && tlsSettings.length > 0) {
    problems.push(`${tlsSettings.join(', ')} set but TLS is off: set REDIS_TLS=true or use a rediss:// REDIS_URL`);
  }
  if ((env.REDIS_TLS_CERT_FILE === undefined) !== (env.REDIS_TLS_KEY_FILE === undefined)) {
    problems.push('mutual TLS needs both REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE');
  }
  problems.push(...credentialProblems(env, 'REDIS', stores.length > 0));
  problems.push(...credentialProblems(env, 'REDIS_SENTINEL', stores.includes('REDIS_SENTINELS')));
  if (env.REDIS_SENTINEL_TLS !== undefined && !stores.includes('REDIS_SENTINELS')) problems.push('REDIS_SENTINEL_TLS is set without REDIS_SENTINELS');
  if ((env.REDIS_CLUSTER_NAT_MAP ?? []).length > 0 && !stores.includes('REDIS_CLUSTER_NODES')) {
    problems.push('REDIS_CLUSTER_NAT_MAP is set without REDIS_CLUSTER_NODES');
  }
  if (env.REDIS_URL !== undefined && (env.REDIS_USERNAME ?? env.REDIS_PASSWORD ?? env.REDIS_PASSWORD_FILE) !== undefined && hasCredentials(env.REDIS_URL)) {
    problems.push('REDIS_URL carries credentials: set them there or in REDIS_USERNAME and REDIS_PASSWORD, not both');
  }
  return problems;
}

/** `<prefix>_USERNAME`, `<prefix>_PASSWORD`, `<prefix>_PASSWORD_FILE`: one password at most, a user needs one, and a store to use them. */
function credentialProblems(env: Environment, prefix: 'REDIS' | 'REDIS_SENTINEL', used: boolean): string[] {
  const [user, password, file] = [`${prefix}_USERNAME`, `${prefix}_PASSWORD`, `${prefix}_PASSWORD_FILE`] as const;
  const set = [user, password, file].filter((name) => env[name] !== undefined);
  const problems: string[] = [];
  if (env[password] !== undefined && env[file] !== undefined) problems.push(`set ${password} or ${file}, not both`);
  if (env[user] !== undefined && env[password] === undefined && env[file] === undefined) problems.push(`${user} needs ${password} or ${file}`);
  if (set.length > 0 && !used) {
    problems.push(`${set.join(', ')} set without ${prefix === 'REDIS' ? 'a Redis store (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS)' : 'REDIS_SENTINELS'}`);
  }
  return problems;
}

function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

export const redisConfig = defineConfig('redis', RedisEnvironment, deriveRedis, (env) => {
  const problems: string[] = [];
  const stores = storesOf(env);
  if (stores.length > 1) problems.push(`set only one of ${stores.join(', ')}`);
  if (env.NODE_ENV === 'production' && stores.length === 0) {
    problems.push('NODE_ENV=production needs a shared store: set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS');
  }
  return problems.concat(securityProblems(env, stores));
});

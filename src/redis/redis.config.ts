import { Transform } from 'class-transformer';
import { IsArray, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { defineConfig } from '../config/define-config.js';
import type { Environment } from '../config/environment.js';
import { emptyToUndefined, toInt, toList } from '../config/env-transforms.js';

/** Where the shared store is; none of the three: the in-memory store of one process. */
export class RedisEnvironment {
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string = undefined;

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

export const redisConfig = defineConfig(
  'redis',
  RedisEnvironment,
  (env) => ({
    /** At most one of url, clusterNodes and sentinels is set; none: in-memory adapters (one process). */
    url: env.REDIS_URL,
    clusterNodes: env.REDIS_CLUSTER_NODES.map(hostPort),
    sentinels: env.REDIS_SENTINELS.map(hostPort),
    sentinelName: env.REDIS_SENTINEL_NAME,
    keyPrefix: env.REDIS_KEY_PREFIX,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
  }),
  (env) => {
    const problems: string[] = [];
    const stores = storesOf(env);
    if (stores.length > 1) problems.push(`set only one of ${stores.join(', ')}`);
    if (env.NODE_ENV === 'production' && stores.length === 0) {
      problems.push('NODE_ENV=production needs a shared store: set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS');
    }
    return problems;
  },
);

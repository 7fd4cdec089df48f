import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/time/clock.js';
import { redisConfig } from '../redis/redis.config.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.constants.js';

/** The store's mode and address as an operator names them, without credentials. */
export function describeStore(config: Pick<ConfigType<typeof redisConfig>, 'url' | 'clusterNodes' | 'sentinels' | 'sentinelName'>): {
  mode: 'standalone' | 'cluster' | 'sentinel';
  address: string;
} {
  const hosts = (nodes: { host: string; port: number }[]) => nodes.map(({ host, port }) => `${host}:${port}`).join(',');
  if (config.clusterNodes.length > 0) return { mode: 'cluster', address: hosts(config.clusterNodes) };
  if (config.sentinels.length > 0) return { mode: 'sentinel', address: `master "${config.sentinelName}" via ${hosts(config.sentinels)}` };
  return { mode: 'standalone', address: withoutCredentials(config.url ?? '') };
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'redis://(unparsable URL)';
  }
}

/** A client error's message without any `user:password@` it may quote. */
export const redactCredentials = (message: string) => message.replace(/\/\/[^/@\s]*@/g, '//');

/**
 * Since when the shared store has been unreachable, and its last connection error: from the first
 * error or closed connection (or failed check) until it answers again. ioredis's own answer to a
 * command in that time ("Reached the max retries per request limit") says none of that.
 */
@Injectable()
export class StoreStatus {
  private downSinceMs: number | undefined;
  private lastError: string | undefined;

  constructor(
    @Inject(REDIS_CLIENT) client: RedisClient | null,
    private readonly clock: Clock,
  ) {
    if (client === null) return;
    client.on('error', (error: Error) => this.failed(error));
    // A Cluster reports a failing node apart from its own errors.
    client.on('node error', (error: Error) => this.failed(error));
    client.on('close', () => this.failed());
    client.on('ready', () => this.recovered());
  }

  failed(error?: Error & { code?: string }): void {
    this.downSinceMs ??= this.clock.nowMs();
    if (!error?.message) return;
    const withCode = error.code && !error.message.includes(error.code) ? `${error.message} (${error.code})` : error.message;
    this.lastError = redactCredentials(withCode);
  }

  recovered(): void {
    this.downSinceMs = undefined;
    this.lastError = undefined;
  }

  /** When the outage began (ISO 8601), and the last connection error seen in it. */
  outage(): { downSince: string; lastError: string | undefined } | undefined {
    return this.downSinceMs === undefined ? undefined : { downSince: new Date(this.downSinceMs).toISOString(), lastError: this.lastError };
  }
}

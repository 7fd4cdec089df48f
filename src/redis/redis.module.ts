import { Global, Inject, Logger, LoggerService, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { redisConfig, type RedisSettings } from './redis.config.js';
import { FailFastCluster } from './fail-fast-cluster.js';
import { REDIS_CLIENT, RedisClient } from './redis.constants.js';
import { RedisKeys } from './redis-keys.js';
import { RedisScripts } from './redis-scripts.js';

type RedisConfig = RedisSettings;

// Fail fast while Redis is away (fail closed), and reconnect forever in the background.
const reconnectDelayMs = (attempt: number) => Math.min(attempt * 100, 2000);
const failFast = (config: RedisConfig) => ({
  maxRetriesPerRequest: 1,
  commandTimeout: config.commandTimeoutMs,
  connectTimeout: config.commandTimeoutMs,
});
// What every data-node connection carries: TLS and the ACL user, when set (undefined keys would
// override what a rediss:// URL says).
const secured = (config: RedisConfig) => ({
  ...(config.tls && { tls: config.tls }),
  ...(config.username !== undefined && { username: config.username }),
  ...(config.password !== undefined && { password: config.password }),
});
// A managed cluster behind TLS announces host names its certificates carry: connect by name
// (no DNS lookup to an address the certificate does not name).
const keepHostName = (address: string, callback: (error: null, address: string) => void) => callback(null, address);

/** The one client of the process, picked from validated config (at most one mode is set). */
export function createRedisClient(
  config: RedisConfig,
  logger: Pick<LoggerService, 'log' | 'warn' | 'error'> = new Logger('Redis'),
): RedisClient | null {
  const client = clientFor(config, logger);
  if (client === null) {
    logger.warn('No REDIS_URL: running on the in-memory store (one process only; state is lost on restart).');
    return null;
  }
  let down = false;
  const unavailable = (error: Error) => {
    if (!down) logger.error(`Redis unavailable: ${error.message}`);
    down = true;
  };
  client.on('error', unavailable);
  // A Cluster reports a failing node apart from its own errors.
  client.on('node error', unavailable);
  client.on('ready', () => {
    if (down) logger.log('Redis connection restored');
    down = false;
  });
  return client;
}

function clientFor(config: RedisConfig, logger: Pick<LoggerService, 'log'>): RedisClient | null {
  const hosts = (nodes: { host: string; port: number }[]) => nodes.map(({ host, port }) => `${host}:${port}`).join(',');
  if (config.clusterNodes.length > 0) {
    logger.log(`Redis Cluster mode: seed nodes ${hosts(config.clusterNodes)}${described(config.tls, config.username, config.password)}`);
    // The Cluster adds keyPrefix as it builds each command (scripts included) and routes by the
    // prefixed key's hash tag; node clients only carry built commands, so redisOptions has no prefix.
    return new FailFastCluster(config.clusterNodes, config.commandTimeoutMs, {
      keyPrefix: config.keyPrefix,
      enableAutoPipelining: true,
      clusterRetryStrategy: reconnectDelayMs,
      slotsRefreshTimeout: config.commandTimeoutMs,
      redisOptions: { ...failFast(config), ...secured(config) },
      ...(config.tls && { dnsLookup: keepHostName }),
      ...(config.clusterNatMap && { natMap: config.clusterNatMap }),
    });
  }
  const options = { keyPrefix: config.keyPrefix, enableAutoPipelining: true, retryStrategy: reconnectDelayMs, ...failFast(config), ...secured(config) };
  if (config.sentinels.length > 0) {
    logger.log(
      `Redis Sentinel mode: master "${config.sentinelName}"${described(config.tls, config.username, config.password)}` +
        ` via sentinels ${hosts(config.sentinels)}${described(config.sentinelTls, config.sentinelUsername, config.sentinelPassword)}`,
    );
    return new Redis({ sentinels: config.sentinels, name: config.sentinelName, ...options, ...sentinelSecured(config) });
  }
  if (config.url !== undefined) {
    logger.log(`Redis standalone mode: ${withoutCredentials(config.url)}${described(config.tls, config.username, config.password)}`);
    return new Redis(config.url, options);
  }
  return null;
}

/** The sentinels' own TLS and user, and TLS to the master they name. */
function sentinelSecured(config: RedisConfig) {
  return {
    // ioredis dials the master with plain TCP unless told to use `tls` there too.
    enableTLSForSentinelMode: config.tls !== undefined,
    ...(config.sentinelTls && { sentinelTLS: config.sentinelTls }),
    ...(config.sentinelUsername !== undefined && { sentinelUsername: config.sentinelUsername }),
    ...(config.sentinelPassword !== undefined && { sentinelPassword: config.sentinelPassword }),
  };
}

/** How a connection is secured, for the boot log: never a password or a file's content. */
function described(tls: RedisConfig['tls'], username: string | undefined, password: string | undefined): string {
  const parts = [
    tls ? `TLS${tls.ca ? ' (own CA)' : ''}${tls.cert ? ' with a client certificate' : ''}` : 'no TLS',
    ...(username !== undefined ? [`ACL user "${username}"`] : password !== undefined ? ['password'] : []),
  ];
  return ` (${parts.join(', ')})`;
}

function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

@Global()
@Module({
  providers: [
    { provide: REDIS_CLIENT, inject: [redisConfig.KEY], useFactory: (config: RedisConfig) => createRedisClient(config) },
    RedisKeys,
    // Null in the in-memory mode, as the client.
    { provide: RedisScripts, inject: [REDIS_CLIENT], useFactory: (client: RedisClient | null) => client && new RedisScripts(client) },
  ],
  exports: [REDIS_CLIENT, RedisKeys, RedisScripts],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis === null) return;
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

import { Global, Inject, Logger, LoggerService, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { redisConfig, type RedisSettings } from './redis.config.js';
import { FailFastCluster } from './fail-fast-cluster.js';
import { REDIS_CLIENT, RedisClient } from './redis.constants.js';
import { RedisKeys } from './redis-keys.js';
import { RedisScripts } from './redis-scripts.js';

type RedisConfig = RedisSettings;

// Fail fast while Redis is away (fail closed), and reconnect forever in the background, at most
// 500 ms apart: a failover is over in seconds, and the first attempt after it should not wait long.
const reconnectDelayMs = (attempt: number) => Math.min(attempt * 50, 500);
const failFast = (config: RedisConfig) => ({
  maxRetriesPerRequest: 1,
  commandTimeout: config.commandTimeoutMs,
  connectTimeout: config.commandTimeoutMs,
  // A connection the client drops (a failover seen, a node out of the slot map) is destroyed after
  // this long if the server does not close it: a paused master never does, and the commands
  // waiting on it are retried on the new master only once it is closed (ioredis waits 2 s).
  disconnectTimeout: 100,
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
// A master demoted under us (a paused master back as a replica, a managed endpoint that moved)
// answers writes with READONLY: reconnect, which finds the master, and send the write again
// (2), which is safe because a READONLY write did nothing.
const reconnectOnReadOnly = (error: Error) => (error.message.startsWith('READONLY') ? 2 : false);

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

const hosts = (nodes: { host: string; port: number }[]) => nodes.map(({ host, port }) => `${host}:${port}`).join(',');

function clientFor(config: RedisConfig, logger: Pick<LoggerService, 'log'>): RedisClient | null {
  if (config.clusterNodes.length > 0) {
    logger.log(`Redis Cluster mode: seed nodes ${hosts(config.clusterNodes)}${described(config.tls, config.username, config.password)}`);
    return clusterClient(config);
  }
  const options = {
    keyPrefix: config.keyPrefix,
    enableAutoPipelining: true,
    retryStrategy: reconnectDelayMs,
    reconnectOnError: reconnectOnReadOnly,
    ...failFast(config),
    ...secured(config),
  };
  if (config.sentinels.length > 0) {
    logger.log(
      `Redis Sentinel mode: master "${config.sentinelName}"${described(config.tls, config.username, config.password)}` +
        ` via sentinels ${hosts(config.sentinels)}${described(config.sentinelTls, config.sentinelUsername, config.sentinelPassword)}`,
    );
    return new Redis({ sentinels: config.sentinels, name: config.sentinelName, ...options, ...sentinelSecured(config), ...sentinelFailover(config) });
  }
  if (config.url !== undefined) {
    logger.log(`Redis standalone mode: ${withoutCredentials(config.url)}${described(config.tls, config.username, config.password)}`);
    return new Redis(config.url, options);
  }
  return null;
}

function clusterClient(config: RedisConfig): RedisClient {
  // The Cluster adds keyPrefix as it builds each command (scripts included) and routes by the
  // prefixed key's hash tag; node clients only carry built commands, so redisOptions has no prefix.
  return new FailFastCluster(config.clusterNodes, config.commandTimeoutMs, {
    keyPrefix: config.keyPrefix,
    // No auto-pipelining on a Cluster: ioredis groups the pipelined commands by node and follows
    // a MOVED only when every command of the group got the same one, and refuses a group the
    // slot map no longer puts on one node. After a failover both reached requests as 503
    // store_unavailable until the map was refreshed (the "MOVED-driven 503s" after a paused
    // master). Alone, each command follows its redirect; the commands of a request that go out
    // together are still written without waiting for each other's replies.
    enableAutoPipelining: false,
    clusterRetryStrategy: reconnectDelayMs,
    // FailFastCluster refreshes the slot map on a failure that says it may be stale; the interval
    // catches a failover in a shard nobody wrote to since. A refresh asks one node after another
    // (in random order), each for at most slotsRefreshTimeout, so a paused node delays it by that.
    slotsRefreshTimeout: Math.min(config.commandTimeoutMs, 500),
    slotsRefreshInterval: 5000,
    // Retries within the command's deadline: closed connection (a killed master) or CLUSTERDOWN
    // (an election under way) wait this long and refresh the slot map; MOVED follows at once.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnMoved: 0,
    // Reads go to masters: a replica may not have the latest approval yet.
    scaleReads: 'master',
    redisOptions: { ...failFast(config), ...secured(config) },
    ...(config.tls && { dnsLookup: keepHostName }),
    ...(config.clusterNatMap && { natMap: config.clusterNatMap }),
  });
}

/** How a Sentinel client notices a failover and finds the new master. */
function sentinelFailover(config: RedisConfig) {
  return {
    // Subscribed to +switch-master on the sentinels: a failover drops the connection to the old
    // master, and the reconnect asks the sentinels for the new one. Without it a paused master
    // keeps its connection open, and every command on it times out until it comes back.
    failoverDetector: true,
    sentinelCommandTimeout: config.commandTimeoutMs,
    // While no sentinel answers, ask them all again this often (default: up to 1 s apart).
    sentinelRetryStrategy: reconnectDelayMs,
    // The detector's own connection to a sentinel that went away (default: a minute).
    sentinelReconnectStrategy: () => 1000,
  };
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

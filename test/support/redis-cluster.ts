import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { createRedisClient } from '../../src/redis/redis.module.js';
import { freePort, redisServerAvailable } from './redis-server.js';
import { adminOptions, cliArgs, RedisSecurity, securityArgs } from './redis-tls.js';

const run = promisify(execFile);

/** True when redis-server and redis-cli are on PATH; REQUIRE_REDIS=1 turns their absence into a failure. */
export const redisClusterAvailable = (() => {
  if (!redisServerAvailable) return false;
  try {
    execFileSync('redis-cli', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.REQUIRE_REDIS === '1') throw new Error('REQUIRE_REDIS=1 but redis-cli is not on PATH');
    return false;
  }
})();

/** `describe` for suites that need a real Redis Cluster; skipped without the binaries, as describeWithRedis. */
export const describeWithRedisCluster = redisClusterAvailable ? describe : describe.skip;

const MASTERS = 3;

/**
 * A throwaway 3-master Redis Cluster (no replicas, no persistence) on free ports, never 6379.
 * Each node gets its cluster bus on a second free port (cluster-port), so no port+10000 clash.
 */
export class RedisCluster {
  private processes: ChildProcess[] = [];

  private constructor(
    readonly ports: number[],
    private readonly busPorts: number[],
    private readonly dir: string,
    /** TLS (cluster bus too), requirepass and ACL users of every node (redis-tls.ts); {}: plain and open. */
    readonly security: RedisSecurity = {},
  ) {}

  static async start(security: RedisSecurity = {}): Promise<RedisCluster> {
    const ports = await distinctFreePorts(MASTERS * 2);
    const cluster = new RedisCluster(ports.slice(0, MASTERS), ports.slice(MASTERS), mkdtempSync(join(tmpdir(), 'phone-auth-cluster-')), security);
    try {
      await cluster.spawnNodes();
      await run('redis-cli', [
        ...cliArgs(security), '--cluster', 'create', ...cluster.ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes',
      ]);
      await cluster.untilHealthy();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** `127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3`, as REDIS_CLUSTER_NODES takes it. */
  get nodes(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /** The service's own cluster client (createRedisClient in cluster mode), quiet; the caller quits it. */
  serviceClient(keyPrefix: string, commandTimeoutMs = 2000): Cluster {
    const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
    const client = createRedisClient(
      {
        url: undefined,
        clusterNodes: this.ports.map((port) => ({ host: '127.0.0.1', port })),
        sentinels: [],
        sentinelName: 'mymaster',
        keyPrefix,
        commandTimeoutMs,
      },
      quiet,
    );
    if (!(client instanceof Cluster)) throw new Error('createRedisClient did not make a Cluster client for cluster nodes');
    return client;
  }

  /** A plain client on one master, to look at what that node alone holds; the caller disconnects it. */
  node(port: number): Redis {
    return new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, ...adminOptions(this.security) });
  }

  /** Every key each master holds, in the order of `ports`. */
  async keysByNode(): Promise<string[][]> {
    return Promise.all(
      this.ports.map(async (port) => {
        const node = this.node(port);
        try {
          return await node.keys('*');
        } finally {
          node.disconnect();
        }
      }),
    );
  }

  /** Kills every node at once (the data goes, the cluster layout stays in the nodes files). */
  async crash(): Promise<void> {
    const processes = this.processes.splice(0);
    await Promise.all(
      processes.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
  }

  /** Starts the crashed nodes again on their ports and waits until the cluster is whole. */
  async restart(): Promise<void> {
    await this.spawnNodes();
    await this.untilHealthy();
  }

  async stop(): Promise<void> {
    await this.crash();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async spawnNodes(): Promise<void> {
    this.processes = this.ports.map((port, i) =>
      spawn(
        'redis-server',
        [
          ...securityArgs(port, this.security), ...(this.security.tls ? ['--tls-cluster', 'yes'] : []),
          '--cluster-port', String(this.busPorts[i]), '--bind', '127.0.0.1',
          '--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, `nodes-${port}.conf`),
          '--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--loglevel', 'warning',
        ],
        { stdio: 'ignore' },
      ),
    );
    await Promise.all(
      this.ports.map((port, i) => waitFor(port, this.processes[i], async (node) => (await node.ping()) === 'PONG', this.security)),
    );
  }

  private async untilHealthy(): Promise<void> {
    await Promise.all(
      this.ports.map((port, i) =>
        waitFor(port, this.processes[i], async (node) => /^cluster_state:ok\r?$/m.test(String(await node.cluster('INFO'))), this.security),
      ),
    );
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort();
    if (port !== 6379) ports.add(port);
  }
  return [...ports];
}

async function waitFor(
  port: number,
  child: ChildProcess,
  ready: (node: Redis) => Promise<boolean>,
  security: RedisSecurity = {},
): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      ...adminOptions(security),
    });
    let error: unknown = 'not ready';
    try {
      await probe.connect();
      if (await ready(probe)) return;
    } catch (caught) {
      error = caught;
    } finally {
      probe.disconnect();
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`cluster node on ${port} did not become ready: ${String(error)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './redis-server.js';

// Issue 19, item 2: replicated stores whose masters a test kills or pauses. A Redis Cluster of
// three masters with one replica each, and a Sentinel group (a master, a replica, three
// sentinels, quorum 2), on free ports in fresh tmp dirs (never 6379), with timeouts small enough
// that a failover takes seconds. stop() kills every process and removes the dirs.

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cluster failure detection: a master unreachable this long is flagged, then failed over. */
export const CLUSTER_NODE_TIMEOUT_MS = 1000;
/** Sentinel: a master silent this long is subjectively down; failover-timeout bounds a stuck failover. */
export const SENTINEL_DOWN_AFTER_MS = 1000;
export const SENTINEL_FAILOVER_TIMEOUT_MS = 3000;

/** One redis-server process whose master a test may SIGKILL or SIGSTOP. */
export class FailoverNode {
  private stopped = false;

  constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  get isDead(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** SIGKILL: the connections close, the data goes. */
  async kill(): Promise<void> {
    if (this.isDead) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
      this.child.kill('SIGCONT');
    });
  }

  /** SIGSTOP: connections stay open and nothing answers, as a hung server. */
  pause(): void {
    this.stopped = true;
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    if (this.stopped) this.child.kill('SIGCONT');
    this.stopped = false;
  }

  /** A plain client; the caller disconnects it. */
  client(): Redis {
    return new Redis(this.port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true });
  }

  async dbsize(): Promise<number | undefined> {
    return withClient(this.port, 500, (node) => node.dbsize());
  }

  /** `master` or `slave` (ROLE), undefined when the node does not answer within timeoutMs. */
  async role(timeoutMs = 300): Promise<string | undefined> {
    return withClient(this.port, timeoutMs, async (node) => ((await node.call('ROLE')) as unknown[])[0] as string);
  }
}

async function withClient<T>(port: number, timeoutMs: number, use: (node: Redis) => Promise<T>): Promise<T | undefined> {
  const node = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
  });
  node.on('error', () => undefined);
  try {
    await node.connect();
    return await use(node);
  } catch {
    return undefined;
  } finally {
    node.disconnect();
  }
}

async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined | false>, everyMs = 50): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Polls `replica` (every 25 ms) until ROLE says master; resolves with the time it first did.
 * The moment of promotion as the replica reports it, to the poll's resolution.
 */
export async function promotionOf(replica: FailoverNode, deadlineMs = 30_000): Promise<number> {
  return until(`the promotion of ${replica.address}`, deadlineMs, async () => ((await replica.role(200)) === 'master' ? Date.now() : undefined), 25);
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort();
    if (port !== 6379 && port !== 26379) ports.add(port);
  }
  return [...ports];
}

function spawnServer(args: string[]): ChildProcess {
  return spawn('redis-server', [...args, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
    stdio: 'ignore',
  });
}

/** A Redis Cluster of three masters with one replica each. */
export class ReplicatedCluster {
  private constructor(
    readonly nodes: FailoverNode[],
    private readonly dir: string,
  ) {}

  /** `host:port,…` of every node, as REDIS_CLUSTER_NODES takes it. */
  get seeds(): string {
    return this.nodes.map((node) => node.address).join(',');
  }

  static async start(): Promise<ReplicatedCluster> {
    const ports = await distinctFreePorts(12);
    const dir = mkdtempSync(join(tmpdir(), 'phone-auth-failover-cluster-'));
    const nodes = ports.slice(0, 6).map(
      (port, i) =>
        new FailoverNode(
          port,
          spawnServer([
            '--port', String(port), '--cluster-port', String(ports[6 + i]), '--cluster-enabled', 'yes',
            '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS),
            '--dir', dir,
          ]),
        ),
    );
    const cluster = new ReplicatedCluster(nodes, dir);
    try {
      await Promise.all(nodes.map((node) => until(`node ${node.address}`, 15_000, () => node.role())));
      await run('redis-cli', ['--cluster', 'create', ...nodes.map((node) => node.address), '--cluster-replicas', '1', '--cluster-yes']);
      await cluster.untilHealthy(3);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** The masters with their replicas, from CLUSTER NODES as one live node sees it. */
  async shards(): Promise<{ master: FailoverNode; replica: FailoverNode }[]> {
    const text = await until('CLUSTER NODES', 10_000, async () => {
      for (const node of this.nodes) {
        const nodes = await withClient(node.port, 500, async (client) => String(await client.cluster('NODES')));
        if (nodes) return nodes;
      }
      return undefined;
    });
    const lines = text.trim().split('\n').map((line) => line.split(' '));
    const byId = new Map(lines.map(([id, address]) => [id, this.nodeAt(Number(address.split('@')[0].split(':')[1]))]));
    return lines
      .filter(([, , flags]) => flags.split(',').includes('slave') && !flags.includes('fail'))
      .map(([id, , , masterId]) => ({ master: byId.get(masterId)!, replica: byId.get(id)! }));
  }

  /**
   * Every live node says cluster_state:ok and every live replica is in sync; at the start also
   * every master has a replica (after a failover the promoted one has none).
   */
  async untilHealthy(replicatedShards = 0, deadlineMs = 30_000): Promise<void> {
    await until('a healthy replicated cluster', deadlineMs, async () => {
      const live = this.nodes.filter((node) => !node.isDead);
      const states = await Promise.all(
        live.map((node) =>
          withClient(node.port, 500, async (client) => {
            const info = String(await client.cluster('INFO'));
            const replication = String(await client.info('replication'));
            return /cluster_state:ok/.test(info) && (/role:master/.test(replication) || /master_link_status:up/.test(replication));
          }),
        ),
      );
      if (!states.every(Boolean)) return false;
      return replicatedShards === 0 || (await this.shards()).length === replicatedShards;
    }, 100);
  }

  private nodeAt(port: number): FailoverNode {
    const node = this.nodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`no node on ${port}`);
    return node;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A master, its replica and three sentinels watching them as `name` with quorum 2. */
export class SentinelGroup {
  private constructor(
    readonly name: string,
    readonly master: FailoverNode,
    readonly replica: FailoverNode,
    readonly sentinels: FailoverNode[],
    private readonly dir: string,
  ) {}

  /** `host:port,…` of the sentinels, as REDIS_SENTINELS takes it. */
  get sentinelList(): string {
    return this.sentinels.map((sentinel) => sentinel.address).join(',');
  }

  static async start(name = 'failover-master'): Promise<SentinelGroup> {
    const [masterPort, replicaPort, ...sentinelPorts] = await distinctFreePorts(5);
    const dir = mkdtempSync(join(tmpdir(), 'phone-auth-failover-sentinel-'));
    const master = new FailoverNode(masterPort, spawnServer(['--port', String(masterPort), '--dir', dir]));
    const replica = new FailoverNode(
      replicaPort,
      spawnServer(['--port', String(replicaPort), '--dir', dir, '--replicaof', '127.0.0.1', String(masterPort)]),
    );
    const sentinels = sentinelPorts.map((port, i) => {
      const config = join(dir, `sentinel-${i}.conf`);
      writeFileSync(
        config,
        [
          `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${name} ${SENTINEL_DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${name} ${SENTINEL_FAILOVER_TIMEOUT_MS}`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      return new FailoverNode(port, spawn('redis-server', [config, '--sentinel', '--loglevel', 'warning'], { stdio: 'ignore' }));
    });
    const group = new SentinelGroup(name, master, replica, sentinels, dir);
    try {
      await group.untilReady();
      return group;
    } catch (error) {
      await group.stop();
      throw error;
    }
  }

  /** The replica is in sync, and each sentinel knows it and the two other sentinels (CKQUORUM). */
  private async untilReady(): Promise<void> {
    await until('the replica in sync', 15_000, async () =>
      withClient(this.replica.port, 500, async (client) => /master_link_status:up/.test(String(await client.info('replication')))),
    );
    for (const sentinel of this.sentinels) {
      await until(`sentinel ${sentinel.address} ready`, 30_000, async () =>
        withClient(sentinel.port, 500, async (client) => {
          await client.call('SENTINEL', 'CKQUORUM', this.name);
          const replicas = (await client.call('SENTINEL', 'REPLICAS', this.name)) as string[][];
          const others = (await client.call('SENTINEL', 'SENTINELS', this.name)) as string[][];
          const known = replicas.some((fields) => fields.includes(String(this.replica.port)) && !fields.join(' ').includes('disconnected'));
          return known && others.length === 2;
        }),
      100);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.master, this.replica, ...this.sentinels].map((node) => node.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** startReplicatedCluster() and startSentinelGroup(): the names the suites import. */
export const startReplicatedCluster = () => ReplicatedCluster.start();
export const startSentinelGroup = (name?: string) => SentinelGroup.start(name);

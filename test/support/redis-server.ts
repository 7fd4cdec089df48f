import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { adminOptions, RedisSecurity, securityArgs } from './redis-tls.js';

/** True when a redis-server binary is on PATH; REQUIRE_REDIS=1 turns its absence into a failure. */
export const redisServerAvailable = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.REQUIRE_REDIS === '1') throw new Error('REQUIRE_REDIS=1 but redis-server is not on PATH');
    return false;
  }
})();

/** `describe` for suites that need a real Redis; skipped (loudly, see global-setup.cjs) without one. */
export const describeWithRedis = redisServerAvailable ? describe : describe.skip;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A throwaway redis-server on a free port: no persistence, never the machine's shared 6379.
 * stop() and start() again keep the port, to play a Redis outage.
 */
export class RedisServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    /** TLS, requirepass and ACL users of this server (redis-tls.ts); {}: plain and open. */
    readonly security: RedisSecurity = {},
  ) {}

  static async start(security: RedisSecurity = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), security);
    await server.start();
    return server;
  }

  /** `redis://127.0.0.1:P`, or `rediss://` for a TLS server; never with credentials. */
  get url(): string {
    return `${this.security.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      [...securityArgs(this.port, this.security), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
    this.process = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.port, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        ...adminOptions(this.security),
      });
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch (error) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server on ${this.port} did not start: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        probe.disconnect();
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
      child.kill('SIGCONT');
    });
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as a hung Redis. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  /** A plain client for assertions; the caller disconnects it. */
  client(): Redis {
    return new Redis(this.port, '127.0.0.1', { maxRetriesPerRequest: 1, ...adminOptions(this.security) });
  }
}

/**
 * A throwaway master (RedisServer) and one `redis-server --sentinel` watching it as `name`, on free
 * ports with a generated sentinel.conf in a fresh tmp dir (Sentinel rewrites its config file).
 */
export class RedisSentinel {
  private constructor(
    readonly master: RedisServer,
    readonly port: number,
    readonly name: string,
    private readonly dir: string,
    private readonly process: ChildProcess,
  ) {}

  /**
   * `security` secures the master (see RedisServer); `sentinelSecurity` the sentinel itself (its
   * TLS port, requirepass and ACL users); it reaches the master with the master's default user.
   */
  static async start(name = 'mymaster', security: RedisSecurity = {}, sentinelSecurity: RedisSecurity = {}): Promise<RedisSentinel> {
    const master = await RedisServer.start(security);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'phone-auth-sentinel-'));
    const config = join(dir, 'sentinel.conf');
    writeFileSync(
      config,
      [
        ...confLines(securityArgs(port, { ...sentinelSecurity, tls: sentinelSecurity.tls ?? security.tls })),
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
        ...(security.adminPassword !== undefined ? [`sentinel auth-pass ${name} ${security.adminPassword}`] : []),
        '',
      ].join('\n'),
    );
    const child = spawn('redis-server', [config, '--sentinel', '--loglevel', 'warning'], { stdio: 'ignore' });
    const sentinel = new RedisSentinel(master, port, name, dir, child);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(port, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        ...adminOptions({ ...sentinelSecurity, tls: sentinelSecurity.tls ?? security.tls }),
      });
      let problem: unknown = 'the master is not known yet';
      try {
        await probe.connect();
        const address = (await probe.call('SENTINEL', 'get-master-addr-by-name', name)) as string[] | null;
        if (address?.[1] === String(master.port)) return sentinel;
      } catch (error) {
        problem = error;
      } finally {
        probe.disconnect();
      }
      if (Date.now() > deadline || child.exitCode !== null) {
        await sentinel.stop();
        throw new Error(`redis sentinel on ${port} did not start: ${String(problem)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** `127.0.0.1:P`, as REDIS_SENTINELS takes it. */
  get sentinels(): string {
    return `127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      await new Promise<void>((resolve) => {
        this.process.once('exit', () => resolve());
        this.process.kill('SIGKILL');
      });
    }
    await this.master.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** redis-server arguments (`--name value...`) as redis.conf lines; masterauth is no sentinel directive. */
function confLines(args: string[]): string[] {
  const lines: string[][] = [];
  for (const arg of args) {
    if (arg.startsWith('--')) lines.push([arg.slice(2)]);
    else lines.at(-1)?.push(arg === '' ? '""' : arg);
  }
  return lines.filter(([name]) => name !== 'masterauth').map((line) => line.join(' '));
}

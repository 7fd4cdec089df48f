import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** One command the app sent, as the proxy parsed it: its name and first key (a script's too) or argument. */
export interface ProxiedCommand {
  /** The round it went out in, counted from the mark it was read after (1, 2, ...). */
  round: number;
  name: string;
  firstArgument?: string;
}

type SentCommand = Omit<ProxiedCommand, 'round'>;

/**
 * A TCP proxy between the app and a redis-server that counts sequential round trips. It holds
 * every reply chunk `delayMs` before passing it on, and numbers the replies it has passed on.
 * A write from the app opens a new round when a reply reached the app's socket since the
 * previous write; writes with none in between (ioredis auto-pipelining's batch, or independent
 * commands sent within `delayMs` of each other) share a round. The count is causal, not timed:
 * a slow, loaded machine stretches the gaps but cannot merge or split rounds, unless the app
 * itself waits `delayMs` or more between two commands that do not depend on each other.
 *
 *   const proxy = await RedisRoundTripProxy.start(server.port);   // REDIS_URL: proxy.url
 *   await proxy.settled(); const mark = proxy.mark(); await request(); proxy.roundsSince(mark)
 */
export class RedisRoundTripProxy {
  /** Replies passed on to the app so far: the causal clock of the rounds. */
  private deliveries = 0;
  private pendingDeliveries = 0;
  private lastActivityMs = 0;
  /** Every chunk the app wrote, with the number of replies passed on before it was read. */
  private readonly writes: { afterDeliveries: number; commands: SentCommand[] }[] = [];
  private readonly sockets = new Set<Socket>();
  private connections = 0;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
    readonly delayMs: number,
  ) {}

  static async start(targetPort: number, delayMs = 25): Promise<RedisRoundTripProxy> {
    let proxy: RedisRoundTripProxy | undefined;
    const server = createServer((client) => proxy?.accept(client));
    proxy = new RedisRoundTripProxy(server, targetPort, delayMs);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Connections the app opened through the proxy (one client: 1). */
  get connectionCount(): number {
    return this.connections;
  }

  /** A point in the app's writes; roundsSince and commandsSince count from it. */
  mark(): number {
    return this.writes.length;
  }

  /** Sequential round trips in the app's writes read since `mark`: 0 when it wrote nothing. */
  roundsSince(mark: number): number {
    return this.roundedWritesSince(mark).at(-1)?.round ?? 0;
  }

  /** The commands read since `mark`, each with its round. */
  commandsSince(mark: number): ProxiedCommand[] {
    return this.roundedWritesSince(mark).flatMap(({ round, commands }) => commands.map((command) => ({ round, ...command })));
  }

  private roundedWritesSince(mark: number) {
    let round = 0;
    let clock = -1;
    return this.writes.slice(mark).map((write) => {
      if (write.afterDeliveries !== clock) round += 1;
      clock = write.afterDeliveries;
      return { round, commands: write.commands };
    });
  }

  /** Resolves once no reply is held and the app has written nothing for twice the delay. */
  async settled(): Promise<void> {
    const quietMs = 2 * this.delayMs;
    while (this.pendingDeliveries > 0 || performance.now() - this.lastActivityMs < quietMs) {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs / 2));
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.connections += 1;
    const upstream = createConnection(this.targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    const parser = new RespCommandParser();
    client.on('data', (chunk: Buffer) => {
      this.lastActivityMs = performance.now();
      this.writes.push({ afterDeliveries: this.deliveries, commands: parser.push(chunk) });
      upstream.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('data', (chunk: Buffer) => this.afterDelay(() => client.destroyed || client.write(chunk)));
    // Redis answers QUIT and closes: the app gets the answer, then the end, each as late as the rest.
    upstream.on('close', () => this.afterDelay(() => client.end()));
  }

  private afterDelay(deliver: () => void): void {
    this.pendingDeliveries += 1;
    // Passed on in the check phase, after the poll phase has read what the app wrote before it:
    // a write already sent is never counted as coming after this reply.
    setTimeout(() => {
      setImmediate(() => {
        this.pendingDeliveries -= 1;
        this.lastActivityMs = performance.now();
        this.deliveries += 1;
        deliver();
      });
    }, this.delayMs);
  }
}

/**
 * Splits what a client sends (RESP arrays of bulk strings) into commands, across chunk
 * boundaries. Only for naming the commands of each round: the count does not depend on it.
 */
class RespCommandParser {
  private buffered = Buffer.alloc(0);

  push(chunk: Buffer): SentCommand[] {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const commands: SentCommand[] = [];
    for (;;) {
      const parsed = this.next();
      if (parsed === undefined) return commands;
      this.buffered = this.buffered.subarray(parsed.length);
      const [name = '?', ...args] = parsed.parts;
      // EVALSHA sha numkeys key...: the first key says more than the sha.
      const firstArgument = /^evalsha$|^eval$/i.test(name) ? args[2] : args[0];
      commands.push({ name: name.toUpperCase(), firstArgument });
    }
  }

  private next(): { parts: string[]; length: number } | undefined {
    const header = this.line(0);
    if (header === undefined) return undefined;
    if (!header.text.startsWith('*')) {
      // An inline command: ioredis never sends one; keep the line whole.
      return { parts: header.text.split(' '), length: header.end };
    }
    const parts: string[] = [];
    let offset = header.end;
    for (let i = 0; i < Number(header.text.slice(1)); i += 1) {
      const size = this.line(offset);
      if (size === undefined) return undefined;
      const length = Number(size.text.slice(1));
      if (this.buffered.length < size.end + length + 2) return undefined;
      parts.push(this.buffered.toString('utf8', size.end, size.end + length));
      offset = size.end + length + 2;
    }
    return { parts, length: offset };
  }

  private line(offset: number): { text: string; end: number } | undefined {
    const end = this.buffered.indexOf('\r\n', offset);
    return end === -1 ? undefined : { text: this.buffered.toString('utf8', offset, end), end: end + 2 };
  }
}

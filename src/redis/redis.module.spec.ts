import { createServer } from 'node:net';
import { Cluster, Redis } from 'ioredis';
import { createRedisClient } from './redis.module.js';
import { RedisClient } from './redis.constants.js';

// A port nobody listens on: each client below connects to nothing and must not hang.
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

describe(createRedisClient.name, () => {
  const lines: string[] = [];
  const logger = { log: (line: string) => lines.push(line), warn: (line: string) => lines.push(line), error: (line: string) => lines.push(line) };
  const clients: RedisClient[] = [];
  let port: number;
  const config = (overrides: Partial<Parameters<typeof createRedisClient>[0]>) => ({
    url: undefined,
    clusterNodes: [],
    sentinels: [],
    sentinelName: 'mymaster',
    keyPrefix: 'pa:',
    commandTimeoutMs: 300,
    ...overrides,
  });
  const sut = (overrides: Partial<Parameters<typeof createRedisClient>[0]>) => {
    const client = createRedisClient(config(overrides), logger);
    if (client) clients.push(client);
    return client;
  };

  beforeAll(async () => {
    port = await closedPort();
  });
  beforeEach(() => lines.splice(0));
  afterEach(() => clients.splice(0).forEach((client) => client.disconnect()));

  it('should run on the in-memory store and say so when no Redis is configured', () => {
    expect(sut({})).toBeNull();
    expect(lines.join('\n')).toContain('in-memory store');
  });

  it('should make a standalone client with the key prefix and log the URL without its password when REDIS_URL is set', () => {
    const client = sut({ url: `redis://user:s3cret@127.0.0.1:${port}/0` });
    expect(client).toBeInstanceOf(Redis);
    expect(client!.options.keyPrefix).toBe('pa:');
    expect(lines[0]).toContain('standalone mode');
    expect(lines.join('\n')).not.toContain('s3cret');
  });

  it('should make a Cluster client with the key prefix on the cluster, not on its nodes, when cluster nodes are set', () => {
    const client = sut({ clusterNodes: [{ host: '127.0.0.1', port }] }) as Cluster;
    expect(client).toBeInstanceOf(Cluster);
    expect(client.options).toMatchObject({ keyPrefix: 'pa:', enableAutoPipelining: false });
    expect(client.options.redisOptions?.keyPrefix).toBeUndefined();
    expect(lines[0]).toContain('Cluster mode');
  });
});

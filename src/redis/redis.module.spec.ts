import { lookup } from 'node:dns';
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

  const tls = { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' };

  it('should give a standalone client TLS and the ACL user, and log how it connects but never the password', () => {
    const client = sut({ url: `redis://127.0.0.1:${port}`, tls, username: 'phone-auth', password: 's3cret' }) as Redis;
    expect(client.options).toMatchObject({ tls, username: 'phone-auth', password: 's3cret' });
    expect(lines[0]).toContain('(TLS (own CA) with a client certificate, ACL user "phone-auth")');
    expect(lines.join('\n')).not.toContain('s3cret');
  });

  it('should give every Cluster node TLS and the ACL user, keep host names under TLS and map announced addresses', () => {
    const natMap = { '10.0.0.1:6379': { host: '127.0.0.1', port } };
    const client = sut({ clusterNodes: [{ host: '127.0.0.1', port }], tls, username: 'phone-auth', password: 's3cret', clusterNatMap: natMap }) as Cluster;
    expect(client.options.redisOptions).toMatchObject({ tls, username: 'phone-auth', password: 's3cret' });
    expect(client.options.natMap).toEqual(natMap);
    const resolved = jest.fn();
    client.options.dnsLookup?.('clustercfg.example.cache.amazonaws.com', resolved);
    expect(resolved).toHaveBeenCalledWith(null, 'clustercfg.example.cache.amazonaws.com');
    expect(lines.join('\n')).not.toContain('s3cret');
  });

  it('should resolve Cluster host names as usual without TLS', () => {
    const client = sut({ clusterNodes: [{ host: '127.0.0.1', port }] }) as Cluster;
    expect(client.options.dnsLookup).toBe(lookup);
    expect(client.options.redisOptions).not.toHaveProperty('tls');
  });

  it('should reach a Sentinel-managed master over TLS, and the sentinels with their own TLS and user', () => {
    const sentinelTls = { ca: 'SENTINEL CA PEM' };
    const client = sut({
      sentinels: [{ host: '127.0.0.1', port }],
      tls,
      username: 'phone-auth',
      password: 's3cret',
      sentinelTls,
      sentinelUsername: 'sentinel-user',
      sentinelPassword: 'sentinel-s3cret',
    }) as Redis;
    expect(client.options).toMatchObject({
      tls,
      enableTLSForSentinelMode: true,
      sentinelTLS: sentinelTls,
      username: 'phone-auth',
      password: 's3cret',
      sentinelUsername: 'sentinel-user',
      sentinelPassword: 'sentinel-s3cret',
    });
    expect(lines[0]).toMatch(/master "mymaster" \(TLS .*ACL user "phone-auth"\) via sentinels .* \(TLS \(own CA\), ACL user "sentinel-user"\)/);
    expect(lines.join('\n')).not.toMatch(/s3cret/);
  });
});

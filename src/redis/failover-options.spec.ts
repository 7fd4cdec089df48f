import { Cluster, Redis } from 'ioredis';
import { createRedisClient } from './redis.module.js';
import { FailFastCluster } from './fail-fast-cluster.js';

// What lets the service follow a failover by itself (test/e2e/failover.e2e-spec.ts measures it on
// a real Cluster and Sentinel group). The clients point at a port nobody listens on.
describe('createRedisClient failover options', () => {
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
  const config = {
    url: undefined,
    clusterNodes: [] as { host: string; port: number }[],
    sentinels: [] as { host: string; port: number }[],
    sentinelName: 'mymaster',
    keyPrefix: 'pa:',
    commandTimeoutMs: 2000,
  };
  const clients: (Redis | Cluster)[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.disconnect());
    // ioredis does not cancel a sentinel lookup in flight on disconnect: let it run out (≤ 0.5 s + 0.3 s).
    await new Promise((resolve) => setTimeout(resolve, 1000));
  });

  it('follows +switch-master, times sentinel commands out and reconnects on READONLY in Sentinel mode', () => {
    // A short timeout: the failed sentinel lookup's timer must not outlive the test.
    const client = createRedisClient({ ...config, commandTimeoutMs: 300, sentinels: [{ host: '127.0.0.1', port: 1 }] }, quiet) as Redis;
    clients.push(client);
    client.on('error', () => undefined);
    expect(client.options).toMatchObject({ failoverDetector: true, sentinelCommandTimeout: 300, disconnectTimeout: 100 });
    expect(client.options.reconnectOnError?.(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(client.options.reconnectOnError?.(new Error('ERR unknown command'))).toBe(false);
    expect(client.options.retryStrategy?.(100)).toBe(500);
  });

  it('refreshes the slot map within half a second per node and reads from masters only in Cluster mode', () => {
    const client = createRedisClient({ ...config, clusterNodes: [{ host: '127.0.0.1', port: 1 }] }, quiet) as Cluster;
    clients.push(client);
    client.on('error', () => undefined);
    expect(client).toBeInstanceOf(FailFastCluster);
    expect(client.options).toMatchObject({ slotsRefreshTimeout: 500, slotsRefreshInterval: 5000, scaleReads: 'master', retryDelayOnMoved: 0 });
    expect(client.options.redisOptions).toMatchObject({ disconnectTimeout: 100, commandTimeout: 2000 });
  });
});

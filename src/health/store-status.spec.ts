import { describeStore, redactCredentials } from './store-status.js';

describe(describeStore.name, () => {
  const none = { url: undefined, clusterNodes: [], sentinels: [], sentinelName: 'mymaster' };

  it('names a standalone server by its URL without user or password', () => {
    expect(describeStore({ ...none, url: 'rediss://phone-auth:s3cret-pass@cache.example.com:6380/2' })).toEqual({
      mode: 'standalone',
      address: 'rediss://cache.example.com:6380/2',
    });
  });

  it('names a Cluster by its seed nodes and Sentinel by its master and sentinels', () => {
    expect(describeStore({ ...none, clusterNodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }] })).toEqual({ mode: 'cluster', address: 'a:7000,b:7001' });
    expect(describeStore({ ...none, sentinels: [{ host: 's1', port: 26379 }], sentinelName: 'auth' })).toEqual({
      mode: 'sentinel',
      address: 'master "auth" via s1:26379',
    });
  });
});

describe(redactCredentials.name, () => {
  it('drops the credentials an error message quotes from a URL', () => {
    expect(redactCredentials('connect to redis://user:s3cret@10.0.0.5:6379 failed')).toBe('connect to redis://10.0.0.5:6379 failed');
  });
});

import { PhoneTagger } from '../../src/common/phone/phone-tagger.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { InMemorySessionRepository } from '../../src/sessions/in-memory-session.repository.js';
import { RedisSessionRepository } from '../../src/sessions/redis-session.repository.js';
import { describeWithRedisCluster, RedisCluster } from '../support/redis-cluster.js';
import { describeWithRedis, RedisServer } from '../support/redis-server.js';
import { sessionRepositoryContract } from './session-repository.contract.js';

sessionRepositoryContract('in-memory', async () => ({ repository: new InMemorySessionRepository() }));

describeWithRedis('on a real redis-server', () => {
  sessionRepositoryContract('redis', async () => {
    const server = await RedisServer.start();
    const redis = server.client();
    redis.options.keyPrefix = 'contract:';
    return {
      repository: new RedisSessionRepository(redis, new RedisKeys(new PhoneTagger('contract-secret-of-32-characters!!')), 86400 * 30),
      teardown: async () => {
        redis.disconnect();
        await server.stop();
      },
    };
  });
});

describeWithRedisCluster('on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await RedisCluster.start();
  });
  afterAll(async () => cluster?.stop());

  sessionRepositoryContract('redis cluster', async () => {
    const redis = cluster.serviceClient('contract:');
    return {
      repository: new RedisSessionRepository(redis, new RedisKeys(new PhoneTagger('contract-secret-of-32-characters!!')), 86400 * 30),
      teardown: async () => void (await redis.quit()),
    };
  });

  it('should keep every key under the key prefix when the contract has run on the cluster', async () => {
    const keys = (await cluster.keysByNode()).flat();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((key) => !key.startsWith('contract:'))).toEqual([]);
  });
});

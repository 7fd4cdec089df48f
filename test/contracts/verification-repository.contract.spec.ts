import { PhoneTagger } from '../../src/common/phone/phone-tagger.js';
import { InMemoryVerificationRepository } from '../../src/otp/in-memory-verification.repository.js';
import { RedisVerificationRepository } from '../../src/otp/redis-verification.repository.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { describeWithRedisCluster, RedisCluster } from '../support/redis-cluster.js';
import { describeWithRedis, RedisServer } from '../support/redis-server.js';
import { CONTRACT_HMAC_SECRET, verificationRepositoryContract } from './verification-repository.contract.js';

verificationRepositoryContract('in-memory', async () => ({ repository: new InMemoryVerificationRepository() }));

describeWithRedis('on a real redis-server', () => {
  verificationRepositoryContract('redis', async () => {
    const server = await RedisServer.start();
    const redis = server.client();
    redis.options.keyPrefix = 'contract:';
    return {
      repository: new RedisVerificationRepository(redis, new RedisKeys(new PhoneTagger(CONTRACT_HMAC_SECRET))),
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

  verificationRepositoryContract('redis cluster', async () => {
    const redis = cluster.serviceClient('contract:');
    return {
      repository: new RedisVerificationRepository(redis, new RedisKeys(new PhoneTagger(CONTRACT_HMAC_SECRET))),
      teardown: async () => void (await redis.quit()),
    };
  });

  it('should keep every key under the key prefix when the contract has run on the cluster', async () => {
    const keys = (await cluster.keysByNode()).flat();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((key) => !key.startsWith('contract:'))).toEqual([]);
  });
});

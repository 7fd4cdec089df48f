import { registerAs } from '@nestjs/config';
import { validateEnvironment } from './environment.js';

const hostPort = (entry: string) => {
  const [host, port] = entry.split(':');
  return { host, port: Number(port) };
};

export const redisConfig = registerAs('redis', () => {
  const env = validateEnvironment(process.env);
  return {
    /** At most one of url, clusterNodes and sentinels is set; none: in-memory adapters (one process). */
    url: env.REDIS_URL,
    clusterNodes: env.REDIS_CLUSTER_NODES.map(hostPort),
    sentinels: env.REDIS_SENTINELS.map(hostPort),
    sentinelName: env.REDIS_SENTINEL_NAME,
    keyPrefix: env.REDIS_KEY_PREFIX,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
  };
});

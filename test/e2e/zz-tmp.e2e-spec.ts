import { RedisCluster } from '../support/redis-cluster.js';
it('times', async () => {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) { const t0 = performance.now(); const c = await RedisCluster.start(); times.push(Math.round(performance.now() - t0)); await c.stop(); }
  console.log('startup ms', times.join(' '));
}, 60000);

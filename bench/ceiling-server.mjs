// The two ceilings of `npm run bench`, in a process of their own:
//   POST /ok       parses a small JSON body and answers {"ok":true}: what Fastify alone can do (HTTP ceiling);
//   POST /evalsha  the same, plus one EVALSHA of a small script on one key (one-round-trip ceiling),
//                  with the ioredis settings the service uses (auto-pipelining, key prefix).
// Usage: node bench/ceiling-server.mjs PORT REDIS_URL
import Fastify from 'fastify';
import { Redis } from 'ioredis';

const [port, redisUrl] = [Number(process.argv[2]), process.argv[3]];
const redis = new Redis(redisUrl, { keyPrefix: 'bench-ceiling:', enableAutoPipelining: true, maxRetriesPerRequest: 1 });
// The shape of the service's cheapest script: read a hash, count, set a lifetime.
redis.defineCommand('benchCount', {
  numberOfKeys: 1,
  lua: `local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n`,
});

const app = Fastify({ logger: false, bodyLimit: 16 * 1024 });
app.get('/health', async () => ({ ok: true }));
app.post('/ok', async () => ({ ok: true }));
app.post('/evalsha', async (request) => {
  const key = typeof request.body?.key === 'string' ? request.body.key : 'none';
  const n = await redis.benchCount(`{${key}}`, 60_000);
  return { ok: true, n };
});

await redis.ping();
await app.listen({ port, host: '127.0.0.1' });
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    app.close().then(() => redis.quit()).finally(() => process.exit(0));
  });
}

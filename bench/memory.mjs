#!/usr/bin/env node
// npm run bench -- memory (or node bench/memory.mjs): what the work costs as it grows.
//  1. Redis MEMORY USAGE of the keys of one pending verification, and of one session (after a
//     login, after a refresh, and after 10, 100 and 1,000 refreshes: it must not grow), found
//     with SCAN on a throwaway Redis;
//  2. verify-wrong measured on a small keyspace, then again after preloading synthetic pending
//     verifications of the same shape under the same prefix (pipelined HSET), so the per-request
//     cost can be compared at 10^4 and at BENCH_MEMORY_VERIFICATIONS (10^6) stored verifications;
//  3. a soak: BENCH_SOAK_SECONDS (60) of sends, the service's RSS sampled every 5 s.
// Settings: BENCH_CONNECTIONS (8), BENCH_DURATION (seconds per verify-wrong run, 8),
// BENCH_MEMORY_VERIFICATIONS (1000000), BENCH_SOAK_SECONDS (60), BENCH_APP_DIR, BENCH_MEMORY_OUT
// (bench/results/runs/<UTC time>/memory.json; `-- --record` also copies it over the tracked
// bench/results/memory.json).
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { runLoad } from './lib/load.mjs';
import { freePort, rssBytes, startRedis, stop, stopAll } from './lib/processes.mjs';
import { newRunDir, parseArgs, saveResults } from './lib/results.mjs';
import { BENCH_DIR, endUserIp, ensureBuilt, newApiKey, phoneSequence, REPO_DIR, serviceEnv, startService } from './lib/service.mjs';

const env = process.env;
const config = {
  connections: Number(env.BENCH_CONNECTIONS ?? 8),
  durationS: Number(env.BENCH_DURATION ?? 8),
  verifications: Number(env.BENCH_MEMORY_VERIFICATIONS ?? 1_000_000),
  soakS: Number(env.BENCH_SOAK_SECONDS ?? 60),
  appDir: env.BENCH_APP_DIR ?? REPO_DIR,
  record: parseArgs(process.argv.slice(2)).record,
};
const PREFIX = 'phone-auth:';
const SMALL = 10_000;
const log = (line = '') => process.stdout.write(`${line}\n`);
const startedAt = Date.now();

ensureBuilt(config.appDir, log);
const resultsDir = join(BENCH_DIR, 'results');
const runDir = newRunDir(resultsDir);
const out = env.BENCH_MEMORY_OUT ?? join(runDir, 'memory.json');
const workDir = join(runDir, 'logs');
const redisServer = await startRedis(workDir);
const api = newApiKey('bench');
const service = await startService({
  appDir: config.appDir,
  env: serviceEnv({ port: await freePort(), redisUrl: redisServer.url, apiKeyEntry: api.entry }),
  logFile: join(workDir, 'service.log'),
});
const redis = new Redis(redisServer.port, '127.0.0.1');
log(`redis-server :${redisServer.port}, phone-auth :${service.port} (pid ${service.pid}); load average ${loadavg()[0].toFixed(2)}`);

const nextPhone = phoneSequence();
let ip = 0;
const clientHeaders = () => ({ 'content-type': 'application/json', 'x-api-key': api.key, 'x-end-user-ip': endUserIp(++ip) });
async function call(method, path, body, headers = clientHeaders()) {
  const response = await fetch(`${service.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function allKeys() {
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return new Set(keys);
}
async function describeKeys(keys) {
  const rows = [];
  for (const key of [...keys].sort()) {
    const [type, bytes, ttl] = await Promise.all([
      redis.type(key),
      redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'),
      redis.pttl(key),
    ]);
    const shape = key.slice(PREFIX.length).replace(/\{[^}]*\}/, '{…}').replace(/:\d+$/, ':<hour>');
    rows.push({ key: shape, type, bytes: Number(bytes), ttlSeconds: ttl > 0 ? Math.round(ttl / 1000) : null });
  }
  return rows;
}
const sum = (rows, filter) => rows.filter(filter).reduce((total, row) => total + row.bytes, 0);
const printKeys = (title, rows) => {
  log(title);
  for (const row of rows) log(`  ${String(row.bytes).padStart(5)} B  ${row.type.padEnd(5)} ${row.key}${row.ttlSeconds ? `  (TTL ${row.ttlSeconds} s)` : ''}`);
};

// 1. One pending verification, then one session.
let before = await allKeys();
const phone = nextPhone();
const sent = await call('POST', '/v1/otp/send', { phone });
if (sent.status !== 202) throw new Error(`send answered ${sent.status}: ${JSON.stringify(sent.body)}`);
let after = await allKeys();
const sendKeys = await describeKeys([...after].filter((key) => !before.has(key)));
printKeys('Keys written by one send:', sendKeys);

const wrong = await call('POST', '/v1/otp/verify', { verificationId: sent.body.verificationId, code: '000000' });
const failureKeys = await describeKeys([...(await allKeys())].filter((key) => !after.has(key)));
printKeys(`Keys added by one wrong code (answer ${wrong.status}):`, failureKeys);

const outbox = await call('GET', `/v1/dev/outbox?phone=${encodeURIComponent(phone)}`);
const code = /\d{6}/.exec(outbox.body.messages[0].text)[0];
before = await allKeys();
const login = await call('POST', '/v1/otp/verify', { verificationId: sent.body.verificationId, code });
if (login.status !== 200) throw new Error(`verify answered ${login.status}: ${JSON.stringify(login.body)}`);
after = await allKeys();
const loginKeys = await describeKeys([...after].filter((key) => !before.has(key)));
printKeys('Keys added by one login (verify with the right code):', loginKeys);
const refreshed = await call('POST', '/v1/sessions/refresh', { refreshToken: login.body.refreshToken }, { 'content-type': 'application/json' });
if (refreshed.status !== 200) throw new Error(`refresh answered ${refreshed.status}`);
const sessionAfterRefresh = await describeKeys([...(await allKeys())].filter((key) => key.includes(login.body.sessionId)));
printKeys('The session\'s keys after one refresh:', sessionAfterRefresh);

// The session must not grow with its refreshes: reuse detection keeps no spent hashes (the
// generation in each token, under a MAC, tells a spent token from the current one).
let refreshToken = refreshed.body.refreshToken;
async function sessionFootprint(rotations) {
  const keys = [...(await allKeys())].filter((key) => key.includes(`{${login.body.sessionId}}`));
  const bytes = await Promise.all(keys.map((key) => redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')));
  return { rotations, keys: keys.length, bytes: bytes.reduce((total, value) => total + Number(value), 0) };
}
const sessionGrowth = [await sessionFootprint(1)];
for (let rotation = 2; rotation <= 1000; rotation++) {
  const next = await call('POST', '/v1/sessions/refresh', { refreshToken }, { 'content-type': 'application/json' });
  if (next.status !== 200) throw new Error(`refresh ${rotation} answered ${next.status}`);
  refreshToken = next.body.refreshToken;
  if ([10, 100, 1000].includes(rotation)) sessionGrowth.push(await sessionFootprint(rotation));
}
log(
  `The session's keys after ${sessionGrowth.map(({ rotations, keys, bytes }) => `${rotations} refresh(es): ${bytes} B in ${keys} key(s)`).join(', ')}`,
);

const isOutbox = (row) => row.key.startsWith('outbox:');
const isShared = (row) => row.key.startsWith('throttle:') || row.key.startsWith('fraud:');
const perVerification = sum(sendKeys, (row) => !isOutbox(row) && !isShared(row));
const perSession = sum(sessionAfterRefresh, () => true);
const perUser = sum(loginKeys, (row) => row.key.startsWith('user'));
log(
  `One pending verification: ${perVerification} B (verification hash and send counts; +${sum(failureKeys, (row) => !isShared(row))} B once a code was wrong). ` +
    `One session: ${perSession} B after a refresh; its user: ${perUser} B (phone → id, session index).`,
);

// 2. verify-wrong on a small and on a large keyspace of pending verifications.
// A uniform sample of the preloaded ids (reservoir sampling): every measurement picks from the
// whole keyspace while the load generator holds the same 50k ids, so its own cost (which shares
// the two cores) does not grow with the keyspace.
const SAMPLE = 50_000;
const synthetic = [];
let offered = 0;
function offer(id) {
  offered += 1;
  if (synthetic.length < SAMPLE) synthetic.push(id);
  else {
    const slot = Math.floor(Math.random() * offered);
    if (slot < SAMPLE) synthetic[slot] = id;
  }
}
async function preload(count) {
  const nowMs = Date.now();
  const batch = 2000;
  for (let done = 0; done < count; done += batch) {
    const pipeline = redis.pipeline();
    for (let i = 0; i < Math.min(batch, count - done); i++) {
      const id = randomBytes(29).toString('base64url').slice(0, 38);
      const key = `${PREFIX}otp:{${id.slice(0, 16)}}:verification`;
      // The fields and sizes of a real pending verification (otp/scripts/start-verification.script.ts).
      pipeline.hset(key, {
        id,
        phone: `+9197${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
        status: 'pending',
        codeHash: randomBytes(32).toString('base64url'),
        attempts: 0,
        sends: 1,
        channel: 'sms',
        provider: 'outbox',
        providerRef: '',
        createdAt: nowMs,
        expiresAt: nowMs + 600_000,
        resendAt: nowMs + 30_000,
      });
      pipeline.pexpire(key, 1_200_000);
      offer(id);
    }
    await pipeline.exec();
  }
}
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);
const ATTEMPTS = 10;
// Random verifications across the whole keyspace, each at most ATTEMPTS times (warm-up included).
const uses = new Map();
function pickVerification() {
  for (let tries = 0; tries < 1000; tries++) {
    const id = synthetic[Math.floor(Math.random() * synthetic.length)];
    if ((uses.get(id) ?? 0) >= ATTEMPTS) continue;
    uses.set(id, (uses.get(id) ?? 0) + 1);
    return { body: JSON.stringify({ verificationId: id, code: '000000' }), headers: clientHeaders() };
  }
  return null; // the sample is spent: the run ends early
}
async function verifyWrong(label) {
  const result = await runLoad({
    url: service.url,
    path: '/v1/otp/verify',
    connections: config.connections,
    duration: config.durationS,
    expectStatus: 400,
    pids: { server: service.pid, redis: redisServer.pid },
    next: pickVerification,
  });
  const keys = await redis.dbsize();
  log(
    `verify-wrong with ${keys} keys (${label}): ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
      `${result.cpuMicrosPerRequest.server.toFixed(0)} µs CPU/req (Redis ${result.cpuMicrosPerRequest.redis.toFixed(0)}, load generator ${result.cpuMicrosPerRequest.loadGenerator.toFixed(0)}), statuses ${JSON.stringify(result.statusCounts)}`,
  );
  return { keys, ...result };
}
await preload(SMALL);
// Warm-up, then the small keyspace.
await runLoad({
  url: service.url,
  path: '/v1/otp/verify',
  connections: config.connections,
  duration: 2,
  next: pickVerification,
});
const small = await verifyWrong(`${SMALL} synthetic verifications`);
// A middle point tells a cache cliff (a step) from a cost that grows with the count.
const MIDDLE = Math.min(100_000, config.verifications);
await preload(MIDDLE - SMALL);
await new Promise((resolve) => setTimeout(resolve, 2000));
const middle = await verifyWrong(`${MIDDLE} synthetic verifications`);
const memoryBefore = await usedMemory();
const preloadStartedAt = Date.now();
await preload(config.verifications - MIDDLE);
const preloadSeconds = (Date.now() - preloadStartedAt) / 1000;
const memoryAfter = await usedMemory();
const bytesPerVerification = (memoryAfter - memoryBefore) / (config.verifications - MIDDLE);
log(
  `preloaded ${config.verifications - MIDDLE} more in ${preloadSeconds.toFixed(1)} s: used_memory +${((memoryAfter - memoryBefore) / 2 ** 20).toFixed(0)} MiB, ` +
    `${bytesPerVerification.toFixed(0)} B per verification (keyspace overhead included)`,
);
// Let Redis settle after the preload (background work on its grown tables, memory first
// touched) before measuring.
await new Promise((resolve) => setTimeout(resolve, 15_000));
const large = await verifyWrong(`${config.verifications} synthetic verifications`);
await redis.flushall();

// 3. Soak: sends for BENCH_SOAK_SECONDS, RSS every 5 s.
// RSS from /proc, and the V8 heap in use from the service's own /metrics.
async function heapUsedMiB() {
  try {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    return Number(/^phone_auth_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1]) / 2 ** 20;
  } catch {
    return NaN;
  }
}
const soakStartedAt = Date.now();
const sample = async () => ({
  s: Math.round((Date.now() - soakStartedAt) / 1000),
  mib: rssBytes(service.pid) / 2 ** 20,
  heapMiB: await heapUsedMiB(),
});
const rss = [await sample()];
const sampler = setInterval(() => void sample().then((point) => rss.push(point)), 5000);
const soak = await runLoad({
  url: service.url,
  path: '/v1/otp/send',
  connections: config.connections,
  duration: config.soakS,
  expectStatus: 202,
  pids: { server: service.pid, redis: redisServer.pid },
  next: () => ({ body: JSON.stringify({ phone: nextPhone() }), headers: clientHeaders() }),
});
clearInterval(sampler);
rss.push(await sample());
const half = rss.filter((point) => point.s >= config.soakS / 2);
const slope = half.length > 1 ? ((half.at(-1).mib - half[0].mib) / (half.at(-1).s - half[0].s)) * 60 : NaN;
log(`soak: ${soak.completed} sends in ${soak.durationS} s (${soak.rps.toFixed(0)} req/s, unexpected ${soak.unexpected})`);
log(`  RSS MiB every 5 s: ${rss.map((point) => point.mib.toFixed(0)).join(' ')}`);
log(`  V8 heap used MiB:  ${rss.map((point) => point.heapMiB.toFixed(0)).join(' ')}`);
log(`  second half: ${slope >= 0 ? '+' : ''}${slope.toFixed(1)} MiB/min (peak ${Math.max(...rss.map((point) => point.mib)).toFixed(0)} MiB)`);

await redis.quit();
await stop(service.child);
await stop(redisServer.child);
stopAll();

const output = {
  startedAt: new Date(startedAt).toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadAverageAtStart: loadavg()[0] },
  settings: { ...config, appDir: undefined, record: undefined },
  keys: { send: sendKeys, wrongCode: failureKeys, login: loginKeys, sessionAfterRefresh },
  sessionGrowth,
  bytes: { perPendingVerification: perVerification, perWrongCodeFailureCount: sum(failureKeys, (row) => !isShared(row)), perSession, perUser, perSyntheticVerificationInKeyspace: Math.round(bytesPerVerification) },
  flatCost: {
    small: { keys: small.keys, rps: small.rps, p50Ms: small.p50Ms, p99Ms: small.p99Ms, cpuMicrosPerRequest: small.cpuMicrosPerRequest },
    middle: { keys: middle.keys, rps: middle.rps, p50Ms: middle.p50Ms, p99Ms: middle.p99Ms, cpuMicrosPerRequest: middle.cpuMicrosPerRequest },
    large: { keys: large.keys, rps: large.rps, p50Ms: large.p50Ms, p99Ms: large.p99Ms, cpuMicrosPerRequest: large.cpuMicrosPerRequest },
    preloadSeconds,
  },
  soak: { seconds: config.soakS, sends: soak.completed, rps: soak.rps, unexpected: soak.unexpected, rssMiB: rss, secondHalfMiBPerMinute: slope },
};

saveResults({ resultsDir, runDir, out, output, record: config.record, reference: 'memory.json', log });
log(`Total ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`);
process.exit(0);

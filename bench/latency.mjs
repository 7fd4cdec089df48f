#!/usr/bin/env node
// npm run bench -- latency (or node bench/latency.mjs): tail latency at a fixed request rate,
// so a regression in the tail shows even when throughput does not move. For each case (send,
// then verify-wrong): a warm-up and a short closed-loop run (autocannon, BENCH_CONNECTIONS) that
// finds the case's max req/s, then BENCH_DURATION seconds at a fixed rate (open loop,
// bench/lib/open-loop.mjs), by default half that max; p50 / p99 / p99.9 in ms.
// Settings (environment):
//   BENCH_DURATION           seconds of each fixed-rate run (10)
//   BENCH_WARMUP             seconds of closed-loop warm-up before the probe (2)
//   BENCH_LATENCY_PROBE      seconds of the closed-loop run that finds the max (3)
//   BENCH_RATE               fixed rate in req/s: one number for every case, or `send=300,verify-wrong=900`
//                            (default: BENCH_LATENCY_FRACTION of the probe's max)
//   BENCH_LATENCY_FRACTION   share of the probe's max when BENCH_RATE does not name the case (0.5)
//   BENCH_LATENCY_CASES      comma list (send,verify-wrong)
//   BENCH_CONNECTIONS        closed-loop connections of the probe (8)
//   BENCH_LATENCY_SOCKETS    most sockets of the fixed-rate client (64)
//   BENCH_APP_DIR, BENCH_NODE_ARGS, BENCH_LATENCY_OUT (bench/results/runs/<UTC time>/latency.json;
//   `-- --record` also copies it to bench/results/latency.json)
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { runLoad } from './lib/load.mjs';
import { runFixedRate } from './lib/open-loop.mjs';
import { freePort, startRedis, stop, stopAll } from './lib/processes.mjs';
import { BENCH_DIR, endUserIp, ensureBuilt, newApiKey, phoneSequence, REPO_DIR, serviceEnv, startService } from './lib/service.mjs';
import { markdownTable } from './lib/table.mjs';
import { newRunDir, parseArgs, saveResults } from './lib/results.mjs';

const env = process.env;
const config = {
  durationS: Number(env.BENCH_DURATION ?? 10),
  warmupS: Number(env.BENCH_WARMUP ?? 2),
  probeS: Number(env.BENCH_LATENCY_PROBE ?? 3),
  rates: parseRates(env.BENCH_RATE),
  fraction: Number(env.BENCH_LATENCY_FRACTION ?? 0.5),
  cases: (env.BENCH_LATENCY_CASES ?? 'send,verify-wrong').split(',').map((name) => name.trim()).filter(Boolean),
  connections: Number(env.BENCH_CONNECTIONS ?? 8),
  sockets: Number(env.BENCH_LATENCY_SOCKETS ?? 64),
  appDir: env.BENCH_APP_DIR ?? REPO_DIR,
  nodeArgs: (env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  record: parseArgs(process.argv.slice(2)).record,
};
const EXPECTED_STATUS = { send: 202, 'verify-wrong': 400 };
const ATTEMPTS = 10;

/** `300` (every case) or `send=300,verify-wrong=900`. */
function parseRates(text) {
  if (!text) return {};
  if (/^\s*[\d.]+\s*$/.test(text)) return { '*': Number(text) };
  return Object.fromEntries(text.split(',').map((pair) => pair.split('=').map((part) => part.trim())).map(([name, rate]) => [name, Number(rate)]));
}

const log = (line = '') => process.stdout.write(`${line}\n`);
const startedAt = Date.now();
const loadAtStart = loadavg()[0];
if (loadAtStart > 1) log(`warning: load average ${loadAtStart.toFixed(2)} before the run: other work on this machine skews the numbers`);
for (const name of config.cases) if (!(name in EXPECTED_STATUS)) throw new Error(`unknown latency case ${name}: send, verify-wrong`);

ensureBuilt(config.appDir, log);
const resultsDir = join(BENCH_DIR, 'results');
const runDir = newRunDir(resultsDir);
const out = env.BENCH_LATENCY_OUT ?? join(runDir, 'latency.json');
const workDir = join(runDir, 'logs');
const redis = await startRedis(workDir);
const api = newApiKey('bench');
const service = await startService({
  appDir: config.appDir,
  nodeArgs: config.nodeArgs,
  env: serviceEnv({ port: await freePort(), redisUrl: redis.url, apiKeyEntry: api.entry }),
  logFile: join(workDir, 'service.log'),
});
log(`redis-server :${redis.port} (pid ${redis.pid}), phone-auth :${service.port} (pid ${service.pid}); logs in ${workDir}`);
log(
  `per case: ${config.warmupS} s warm-up, ${config.probeS} s closed loop at ${config.connections} connections for the max, ` +
    `then ${config.durationS} s at a fixed rate (≤ ${config.sockets} sockets)`,
);

const nextPhone = phoneSequence();
let ipCounter = 0;
const clientHeaders = () => ({ 'x-api-key': api.key, 'x-end-user-ip': endUserIp(++ipCounter) });
/** Verifications started by sends with wrong codes left, for verify-wrong: a queue of { id, attemptsLeft }. */
let started = [];
let head = 0;
const sendItem = () => ({ body: JSON.stringify({ phone: nextPhone() }), headers: clientHeaders() });
const recordSend = (status, body) => {
  if (status === 202) started.push({ id: JSON.parse(body).verificationId, attemptsLeft: ATTEMPTS });
};
/** The next wrong code, round the queue (consecutive requests touch different verifications); null when spent. */
function nextWrongCode() {
  if (head >= started.length) return null;
  const verification = started[head++];
  verification.attemptsLeft -= 1;
  if (verification.attemptsLeft > 0) started.push(verification);
  if (head > 100_000) {
    started = started.slice(head);
    head = 0;
  }
  return { body: JSON.stringify({ verificationId: verification.id, code: '000000' }), headers: clientHeaders() };
}
const attemptsLeft = () => started.slice(head).reduce((sum, verification) => sum + verification.attemptsLeft, 0);
async function prepareWrongCodes(count) {
  const missing = Math.ceil((count - attemptsLeft()) / ATTEMPTS);
  if (missing <= 0) return;
  await runLoad({ url: service.url, path: '/v1/otp/send', connections: config.connections, amount: missing, duration: 120, next: sendItem, onResponse: recordSend });
  log(`  prepared ${missing} more verifications`);
}

const results = {};
for (const name of config.cases) {
  const load = name === 'send' ? { path: '/v1/otp/send', next: sendItem, onResponse: recordSend } : { path: '/v1/otp/verify', next: nextWrongCode };
  const closed = { url: service.url, connections: config.connections, expectStatus: EXPECTED_STATUS[name], ...load };
  if (name === 'verify-wrong') await prepareWrongCodes((config.warmupS + config.probeS) * 4000);
  if (config.warmupS > 0) await runLoad({ ...closed, duration: config.warmupS });
  const probe = await runLoad({ ...closed, duration: config.probeS, pids: { server: service.pid } });
  const rate = config.rates[name] ?? config.rates['*'] ?? Math.max(1, Math.round(config.fraction * probe.rps));
  if (name === 'verify-wrong') await prepareWrongCodes(Math.ceil(rate * config.durationS * 1.05) + config.sockets);
  log(`${name}: closed loop ${probe.rps.toFixed(0)} req/s (${probe.cpuMicrosPerRequest.server.toFixed(0)} µs CPU/req); fixed rate ${rate} req/s for ${config.durationS} s`);
  const fixed = await runFixedRate({
    url: service.url,
    rate,
    duration: config.durationS,
    connections: config.sockets,
    expectStatus: EXPECTED_STATUS[name],
    pids: { server: service.pid, redis: redis.pid },
    ...load,
  });
  results[name] = { closedLoopRps: Math.round(probe.rps), closedLoopCpuMicrosPerRequest: Math.round(probe.cpuMicrosPerRequest.server), ...fixed };
  log(
    `  achieved ${fixed.achievedRate.toFixed(0)} req/s; p50 ${fixed.fromWrite.p50Ms} p99 ${fixed.fromWrite.p99Ms} p99.9 ${fixed.fromWrite.p999Ms} ms; ` +
      `statuses ${JSON.stringify(fixed.statusCounts)}${fixed.errors ? `, ${fixed.errors} socket errors` : ''}${fixed.exhausted ? ' (prepared data ran out: run ended early)' : ''}`,
  );
}
await stop(service.child);
await stop(redis.child);
stopAll();

const rows = Object.entries(results).map(([name, result]) => ({ case: name, ...result }));
const ms = (value) => value.toFixed(3);
const table = markdownTable(
  [
    ['case', (row) => row.case],
    ['max req/s', (row) => String(row.closedLoopRps)],
    ['rate', (row) => String(row.targetRate)],
    ['achieved', (row) => row.achievedRate.toFixed(0)],
    ['p50 ms', (row) => ms(row.fromWrite.p50Ms)],
    ['p99 ms', (row) => ms(row.fromWrite.p99Ms)],
    ['p99.9 ms', (row) => ms(row.fromWrite.p999Ms)],
    ['max ms', (row) => ms(row.fromWrite.maxMs)],
    ['p50 / p99 / p99.9 from due', (row) => `${ms(row.fromDue.p50Ms)} / ${ms(row.fromDue.p99Ms)} / ${ms(row.fromDue.p999Ms)}`],
    ['CPU µs/req', (row) => row.cpuMicrosPerRequest.server.toFixed(0)],
    ['unexpected', (row) => String(row.unexpected)],
  ],
  rows,
);
log();
log(
  `phone-auth latency at a fixed rate, ${new Date(startedAt).toISOString()}: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}; ` +
    `load average ${loadAtStart.toFixed(2)} at start`,
);
log();
log(table);
log();
log(`max req/s: the closed-loop run (${config.probeS} s, ${config.connections} connections); rate: the fixed rate asked; achieved: answers per second.`);
log(`p50 / p99 / p99.9 / max: from the moment each request was written to its complete answer (as npm run bench measures).`);
log(`"from due": from the moment it was due by the schedule (open loop: includes the client's timer lateness, ~1 ms, and any wait for a socket).`);
log(`Total time ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`);

const output = { startedAt: new Date(startedAt).toISOString(), loadAverageAtStart: Number(loadAtStart.toFixed(2)), settings: { ...config, appDir: undefined, record: undefined }, cases: rows, table };
saveResults({ resultsDir, runDir, out, output, record: config.record, reference: 'latency.json', log });
process.exit(0);

#!/usr/bin/env node
// npm run bench: the service against its two ceilings, on loopback, every run bounded in time.
// See docs/performance.md. Settings (environment):
//   BENCH_DURATION     seconds of each timed run (10)
//   BENCH_WARMUP       seconds of warm-up before each timed run (2)
//   BENCH_CONNECTIONS  concurrent connections (8)
//   BENCH_CASES        comma list of cases to run after the two ceilings (all)
//   BENCH_PROFILE      1: a V8 CPU profile of the service per case, in bench/results/profiles/
//   BENCH_APP_DIR      directory whose dist/main.js is measured (this repository)
//   BENCH_OUT          results file (bench/results/latest.json)
//   BENCH_NODE_ARGS    extra node flags for the service only, e.g. '--max-semi-space-size=32'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad } from './lib/load.mjs';
import { freePort, startRedis, stop, stopAll } from './lib/processes.mjs';
import { BENCH_DIR, endUserIp, ensureBuilt, newApiKey, phoneSequence, REPO_DIR, serviceEnv, startCeiling, startService } from './lib/service.mjs';

// `npm run bench -- memory`: the memory and soak measurements instead (bench/memory.mjs).
if (process.argv[2] === 'memory') {
  await import('./memory.mjs');
  process.exit(0);
}

const env = process.env;
const config = {
  durationS: Number(env.BENCH_DURATION ?? 10),
  warmupS: Number(env.BENCH_WARMUP ?? 2),
  connections: Number(env.BENCH_CONNECTIONS ?? 8),
  cases: (env.BENCH_CASES ?? 'send,verify-wrong,verify-right,refresh').split(',').map((name) => name.trim()).filter(Boolean),
  profile: env.BENCH_PROFILE === '1',
  appDir: env.BENCH_APP_DIR ?? REPO_DIR,
  out: env.BENCH_OUT ?? join(BENCH_DIR, 'results', 'latest.json'),
  nodeArgs: (env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
};
/** Minimum ratio to the EVALSHA ceiling (issue 6, item 4). */
const TARGETS = { send: 0.6, 'verify-wrong': 0.8, 'verify-right': 0.35, refresh: 0.5 };
const EXPECTED_STATUS = { http: 200, evalsha: 200, send: 202, 'verify-wrong': 400, 'verify-right': 200, refresh: 200 };

const log = (line = '') => process.stdout.write(`${line}\n`);
const runStartedAt = Date.now();
const loadAtStart = loadavg()[0];
if (loadAtStart > 1) log(`warning: load average ${loadAtStart.toFixed(2)} before the run: other work on this machine skews the numbers`);

ensureBuilt(config.appDir, log);
const workDir = mkdtempSync(join(tmpdir(), 'phone-auth-bench-'));
const profileDir = config.profile ? join(BENCH_DIR, 'results', 'profiles') : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });

const redis = await startRedis(workDir);
const api = newApiKey('bench');
const servicePort = await freePort();
const service = await startService({
  appDir: config.appDir,
  nodeArgs: config.nodeArgs,
  env: serviceEnv({ port: servicePort, redisUrl: redis.url, apiKeyEntry: api.entry }),
  logFile: join(workDir, 'service.log'),
  profileDir,
});
const ceiling = await startCeiling({ redisUrl: redis.url, logFile: join(workDir, 'ceiling.log') });
log(`redis-server :${redis.port} (pid ${redis.pid}), phone-auth :${service.port} (pid ${service.pid}), ceiling :${ceiling.port} (pid ${ceiling.pid})`);
log(`${config.connections} connections, ${config.warmupS} s warm-up + ${config.durationS} s per case; logs in ${workDir}`);

const nextPhone = phoneSequence();
let ipCounter = 0;
const clientHeaders = () => ({ 'x-api-key': api.key, 'x-end-user-ip': endUserIp(++ipCounter) });
const results = {};
/** Verifications started by sends: { id, phone, code? }. */
const started = [];
/** Refresh tokens not spent yet (each rotation puts the new one back). */
const refreshTokens = [];

async function signalProfiler(label) {
  if (!profileDir) return;
  writeFileSync(join(profileDir, '.label'), label);
  rmSync(join(profileDir, '.stopped'), { force: true });
  process.kill(service.pid, 'SIGUSR2');
}

/** Warm-up, then the timed run, of one case. */
async function measure(name, { target, remaining, ...load }) {
  const base = { url: target.url, connections: config.connections, expectStatus: EXPECTED_STATUS[name], ...load };
  if (config.warmupS > 0) await runLoad({ ...base, duration: config.warmupS });
  if (target === service) await signalProfiler(name);
  // A finite pool bounds the timed run by its size too, so no request goes out without data.
  const left = remaining?.();
  if (left !== undefined && left < config.connections) throw new Error(`${name}: only ${left} prepared requests left`);
  const result = await runLoad({ ...base, amount: left, duration: config.durationS, pids: { server: target.pid, redis: redis.pid } });
  if (target === service && profileDir) {
    process.kill(service.pid, 'SIGUSR2');
    for (let i = 0; i < 100; i++) {
      try {
        if (readFileSync(join(profileDir, '.stopped'), 'utf8') === name) break;
      } catch {}
      await sleep(100);
    }
  }
  results[name] = result;
  log(
    `${name.padEnd(13)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  ` +
      `${result.cpuMicrosPerRequest.server.toFixed(0)} µs CPU/req  statuses ${JSON.stringify(result.statusCounts)}` +
      (result.exhausted ? '  (prepared data ran out: run ended early)' : ''),
  );
  return result;
}

function sendItem(phone) {
  return { body: JSON.stringify({ phone }), headers: clientHeaders(), item: phone };
}
function recordSend(status, body, phone) {
  if (status === 202) started.push({ id: JSON.parse(body).verificationId, phone });
}

/** Sends that are not measured: more verifications for the verify cases. */
async function prepareSends(count) {
  if (count <= 0) return;
  const before = started.length;
  await runLoad({
    url: service.url,
    path: '/v1/otp/send',
    connections: config.connections,
    amount: count,
    duration: 60,
    next: () => sendItem(nextPhone()),
    onResponse: recordSend,
  });
  log(`  prepared ${started.length - before} more verifications`);
}

// 1, 2: the ceilings.
await measure('http', {
  target: ceiling,
  path: '/ok',
  next: () => ({ body: JSON.stringify({ phone: nextPhone() }) }),
});
let key = 0;
await measure('evalsha', {
  target: ceiling,
  path: '/evalsha',
  next: () => ({ body: JSON.stringify({ key: `k${++key % 100_000}` }) }),
});

// 3: send, random valid Indian mobiles, as an API-key client for varied end users.
if (config.cases.includes('send')) {
  await measure('send', { target: service, path: '/v1/otp/send', next: () => sendItem(nextPhone()), onResponse: recordSend });
}

// 4: verify with a wrong code, by verificationId; each verification takes OTP_MAX_ATTEMPTS (10) wrong codes.
const ATTEMPTS = 10;
const roundUp = (value) => Math.ceil(value);
if (config.cases.includes('verify-wrong')) {
  // At most the one-round-trip ceiling, with a margin, for warm-up and run.
  const wanted = roundUp((1.2 * results.evalsha.rps * (config.warmupS + config.durationS)) / ATTEMPTS);
  await prepareSends(wanted - started.length);
  const pool = started.splice(0, wanted);
  let cursor = 0;
  const requests = pool.length * ATTEMPTS;
  await measure('verify-wrong', {
    target: service,
    remaining: () => requests - cursor,
    path: '/v1/otp/verify',
    next: () => {
      if (cursor >= requests) return null;
      // Attempt-major order: consecutive requests touch different verifications.
      const verification = pool[cursor++ % pool.length];
      return { body: JSON.stringify({ verificationId: verification.id, code: '000000' }), headers: clientHeaders() };
    },
  });
}

// 5: verify with the right code, read from the outbox before the timed run.
if (config.cases.includes('verify-right') || config.cases.includes('refresh')) {
  const sendRps = results.send?.rps ?? results.evalsha.rps * 0.6;
  const wanted = roundUp(
    config.cases.includes('verify-right') ? 1.1 * sendRps * (config.warmupS + config.durationS) : 4 * config.connections,
  );
  await prepareSends(wanted - started.length);
  const pool = started.splice(0, wanted);
  const outboxStartedAt = Date.now();
  let cursor = 0;
  await runLoad({
    url: service.url,
    method: 'GET',
    connections: config.connections,
    amount: pool.length,
    duration: 60,
    next: () => {
      if (cursor >= pool.length) return null;
      const verification = pool[cursor++];
      return { path: `/v1/dev/outbox?phone=${encodeURIComponent(verification.phone)}`, item: verification };
    },
    onResponse: (status, body, verification) => {
      if (status !== 200) return;
      const message = JSON.parse(body).messages.find((entry) => entry.verificationId === verification.id);
      if (message) verification.code = /\d{6}/.exec(message.text)?.[0];
    },
  });
  const ready = pool.filter((verification) => verification.code);
  log(`  read ${ready.length} codes from the outbox in ${((Date.now() - outboxStartedAt) / 1000).toFixed(1)} s`);
  cursor = 0;
  const verifyRight = {
    target: service,
    remaining: () => ready.length - cursor,
    path: '/v1/otp/verify',
    next: () => {
      if (cursor >= ready.length) return null;
      const verification = ready[cursor++];
      return { body: JSON.stringify({ verificationId: verification.id, code: verification.code }), headers: clientHeaders() };
    },
    onResponse: (status, body) => {
      if (status === 200) refreshTokens.push(JSON.parse(body).refreshToken);
    },
  };
  if (config.cases.includes('verify-right')) {
    await measure('verify-right', verifyRight);
  } else {
    const { target, remaining, ...load } = verifyRight;
    await runLoad({ ...load, url: target.url, connections: config.connections, amount: remaining(), duration: 60 });
  }
}

// 6: refresh. Each answer's new refresh token goes to the back of the queue, so the sessions
// opened by verify-right rotate in turn and none is spent twice.
if (config.cases.includes('refresh')) {
  log(`  ${refreshTokens.length} sessions to rotate`);
  let lastToken = refreshTokens[0];
  await measure('refresh', {
    target: service,
    path: '/v1/sessions/refresh',
    next: () => {
      const token = refreshTokens.shift() ?? lastToken;
      lastToken = token;
      return { body: JSON.stringify({ refreshToken: token }) };
    },
    onResponse: (status, body) => {
      if (status === 200) refreshTokens.push(JSON.parse(body).refreshToken);
    },
  });
}

const serviceRss = Number(readFileSync(`/proc/${service.pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m)?.[1] ?? NaN) * 1024;
const redisInfo = execFileSync('redis-cli', ['-p', String(redis.port), 'info', 'memory'], { encoding: 'utf8' });
const redisUsedMemory = Number(/used_memory:(\d+)/.exec(redisInfo)?.[1]);
const redisKeys = Number(execFileSync('redis-cli', ['-p', String(redis.port), 'dbsize'], { encoding: 'utf8' }).trim());
await stop(service.child);
await stop(ceiling.child);
await stop(redis.child);
stopAll();

// The table.
const http = results.http.rps;
const evalsha = results.evalsha.rps;
const rows = Object.entries(results).map(([name, result]) => {
  const target = TARGETS[name];
  const ratio = result.rps / evalsha;
  return {
    case: name,
    rps: Math.round(result.rps),
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    serverCpuMicrosPerRequest: Math.round(result.cpuMicrosPerRequest.server),
    redisCpuMicrosPerRequest: Math.round(result.cpuMicrosPerRequest.redis),
    loadGeneratorCpuMicrosPerRequest: Math.round(result.cpuMicrosPerRequest.loadGenerator),
    requests: result.completed,
    durationS: result.durationS,
    non2xx: result.non2xx,
    unexpected: result.unexpected,
    statusCounts: result.statusCounts,
    ratioToHttp: Number((result.rps / http).toFixed(3)),
    ratioToEvalsha: Number(ratio.toFixed(3)),
    target: target ?? null,
    met: target === undefined ? null : ratio >= target,
    ranOutOfData: result.exhausted,
  };
});

const columns = [
  ['case', (row) => row.case],
  ['req/s', (row) => String(row.rps)],
  ['p50 ms', (row) => String(row.p50Ms)],
  ['p99 ms', (row) => String(row.p99Ms)],
  ['CPU µs/req', (row) => String(row.serverCpuMicrosPerRequest)],
  ['Redis µs/req', (row) => String(row.redisCpuMicrosPerRequest)],
  ['load µs/req', (row) => String(row.loadGeneratorCpuMicrosPerRequest)],
  ['non-2xx', (row) => String(row.non2xx)],
  ['unexpected', (row) => String(row.unexpected)],
  ['× HTTP', (row) => row.ratioToHttp.toFixed(2)],
  ['× EVALSHA', (row) => row.ratioToEvalsha.toFixed(2)],
  ['target', (row) => (row.target === null ? '' : `≥ ${row.target.toFixed(2)} ${row.met ? 'met' : 'MISSED'}`)],
];
const cells = rows.map((row) => columns.map(([, cell]) => cell(row)));
const widths = columns.map(([title], index) => Math.max(title.length, ...cells.map((line) => line[index].length)));
const line = (values) => `| ${values.map((value, index) => (index === 0 ? value.padEnd(widths[index]) : value.padStart(widths[index]))).join(' | ')} |`;
const table = [
  line(columns.map(([title]) => title)),
  `|${widths.map((width, index) => (index === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`,
  ...cells.map(line),
].join('\n');

// Which code was measured (read-only git queries).
const gitOf = (...args) => {
  try {
    return execFileSync('git', args, { cwd: config.appDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};
const code = { commit: gitOf('rev-parse', '--short', 'HEAD'), srcChanged: (gitOf('status', '--porcelain', '--', 'src') ?? '') !== '' };
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  node: process.version,
  loadAverageAtStart: Number(loadAtStart.toFixed(2)),
  redis: execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1],
};
log();
log(
  `phone-auth benchmark, ${new Date(runStartedAt).toISOString()}, commit ${code.commit ?? '?'}${code.srcChanged ? ' with changes in src/' : ''}: ` +
    `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, Redis ${machine.redis}`,
);
log(
  `${config.connections} connections, ${config.durationS} s per case after ${config.warmupS} s of warm-up; ratios to the ceilings of the same run; ` +
    `load average ${machine.loadAverageAtStart} at start`,
);
log();
log(table);
log();
log(`"unexpected" counts answers other than the case's expected status (verify-wrong expects 400 invalid_code) and socket errors.`);
log(`After the run: service RSS ${(serviceRss / 2 ** 20).toFixed(0)} MiB; Redis ${redisKeys} keys, used_memory ${(redisUsedMemory / 2 ** 20).toFixed(1)} MiB.`);
const missed = rows.filter((row) => row.met === false).map((row) => row.case);
log(missed.length === 0 ? 'Every target is met.' : `Targets missed: ${missed.join(', ')}.`);
log(`Total time ${((Date.now() - runStartedAt) / 1000).toFixed(0)} s.`);

mkdirSync(join(config.out, '..'), { recursive: true });
const output = {
  startedAt: new Date(runStartedAt).toISOString(),
  totalSeconds: Math.round((Date.now() - runStartedAt) / 1000),
  code,
  machine,
  settings: { ...config, appDir: undefined, out: undefined, expectedStatus: EXPECTED_STATUS },
  cases: rows,
  after: { serviceRssBytes: serviceRss, redisKeys, redisUsedMemoryBytes: redisUsedMemory },
  table,
};
writeFileSync(`${config.out}.tmp`, `${JSON.stringify(output, null, 2)}\n`);
renameSync(`${config.out}.tmp`, config.out);
log(`Results: ${config.out}`);
if (env.BENCH_KEEP_LOGS === '1') log(`Logs kept in ${workDir}`);
else rmSync(workDir, { recursive: true, force: true });
process.exit(0);

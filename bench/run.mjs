#!/usr/bin/env node
// npm run bench: the service against two ceilings and the NestJS floor, on loopback, every run
// bounded in time; the whole set BENCH_RUNS times, then the median. See docs/performance.md.
// Settings (environment):
//   BENCH_RUNS         how many times the whole set runs; the verdict is on the median (3)
//   BENCH_DURATION     seconds of each timed run (10)
//   BENCH_WARMUP       seconds of warm-up before each timed run (2)
//   BENCH_CONNECTIONS  concurrent connections (64, as issue 14 measured its floor)
//   BENCH_CASES        comma list of the service's cases to run after the yardsticks (all)
//   BENCH_PROFILE      1: a V8 CPU profile of the service per case, in bench/results/profiles/
//   BENCH_APP_DIR      directory whose dist/main.js is measured (this repository)
//   BENCH_OUT          results file (bench/results/runs/<UTC time>/bench.json)
//   BENCH_NODE_ARGS    extra node flags for the service only, e.g. '--max-semi-space-size=32'
// Every run writes bench/results/runs/<UTC time>/ (gitignored): bench.json and logs/ (kept).
// `-- --record` also copies the result over the tracked bench/results/latest.json; so does
// `npm run bench:record` for the newest run afterwards (bench/record.mjs).
// `npm run bench -- memory` and `npm run bench -- latency` run bench/memory.mjs and bench/latency.mjs.
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { stopAll } from './lib/processes.mjs';
import { BENCH_DIR, ensureBuilt, REPO_DIR } from './lib/service.mjs';
import { EXPECTED_STATUS, runSet } from './lib/throughput.mjs';
import { median, markdownTable } from './lib/table.mjs';
import { newRunDir, parseArgs, saveResults } from './lib/results.mjs';

const args = parseArgs(process.argv.slice(2));
if (args.unknown.length > 0 || args.extra.length > 0 || (args.mode !== undefined && args.mode !== 'memory' && args.mode !== 'latency')) {
  process.stderr.write(`unknown arguments ${process.argv.slice(2).join(' ')}: npm run bench [-- memory | -- latency] [-- --record]\n`);
  process.exit(2);
}
if (args.mode !== undefined) {
  await import(`./${args.mode}.mjs`);
  process.exit(0);
}

const env = process.env;
const config = {
  runs: Math.max(1, Math.floor(Number(env.BENCH_RUNS ?? 3))),
  durationS: Number(env.BENCH_DURATION ?? 10),
  warmupS: Number(env.BENCH_WARMUP ?? 2),
  connections: Number(env.BENCH_CONNECTIONS ?? 64),
  cases: (env.BENCH_CASES ?? 'send,verify-wrong,verify-right,refresh').split(',').map((name) => name.trim()).filter(Boolean),
  profile: env.BENCH_PROFILE === '1',
  appDir: env.BENCH_APP_DIR ?? REPO_DIR,
  nodeArgs: (env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  record: args.record,
};
const resultsDir = join(BENCH_DIR, 'results');
const runDir = newRunDir(resultsDir);
const out = env.BENCH_OUT ?? join(runDir, 'bench.json');
/** Most service CPU µs per request, as a multiple of nest-floor's in the same run (issue 14). */
const TARGETS = { 'verify-wrong': 1.6, send: 2.5, 'verify-right': 2.5, refresh: 2.0 };

const log = (line = '') => process.stdout.write(`${line}\n`);
const benchStartedAt = Date.now();

ensureBuilt(config.appDir, log);
const profileDir = config.profile ? join(BENCH_DIR, 'results', 'profiles') : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });

/** One table row per case of one run. */
function rowsOf(results) {
  const http = results.http.rps;
  const evalsha = results.evalsha.rps;
  const floorCpu = results['nest-floor'].cpuMicrosPerRequest.server;
  return Object.entries(results).map(([name, result]) => {
    const target = TARGETS[name];
    const multiple = result.cpuMicrosPerRequest.server / floorCpu;
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
      ratioToEvalsha: Number((result.rps / evalsha).toFixed(3)),
      cpuToNestFloor: Number(multiple.toFixed(3)),
      target: target ?? null,
      met: target === undefined ? null : multiple <= target,
      ranOutOfData: result.exhausted,
    };
  });
}

/** Per case, the median of each number over the runs; `× nest-floor` is the median of the runs' multiples. */
function medianRows(runs) {
  const names = runs[0].cases.map((row) => row.case).filter((name) => runs.every((run) => run.cases.some((row) => row.case === name)));
  return names.map((name) => {
    const of = runs.map((run) => run.cases.find((row) => row.case === name));
    const mid = (field, digits = 0) => Number(median(of.map((row) => row[field])).toFixed(digits));
    const target = TARGETS[name];
    const multiple = mid('cpuToNestFloor', 3);
    return {
      case: name,
      rps: mid('rps'),
      p50Ms: mid('p50Ms', 2),
      p99Ms: mid('p99Ms', 2),
      serverCpuMicrosPerRequest: mid('serverCpuMicrosPerRequest'),
      redisCpuMicrosPerRequest: mid('redisCpuMicrosPerRequest'),
      loadGeneratorCpuMicrosPerRequest: mid('loadGeneratorCpuMicrosPerRequest'),
      non2xx: mid('non2xx'),
      unexpected: mid('unexpected'),
      ratioToHttp: mid('ratioToHttp', 3),
      ratioToEvalsha: mid('ratioToEvalsha', 3),
      cpuToNestFloor: multiple,
      cpuToNestFloorOfRuns: of.map((row) => row.cpuToNestFloor),
      target: target ?? null,
      met: target === undefined ? null : multiple <= target,
    };
  });
}

const COLUMNS = [
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
  ['× nest-floor', (row) => row.cpuToNestFloor.toFixed(2)],
  ['target', (row) => (row.target === null ? '' : `≤ ${row.target.toFixed(2)} ${row.met ? 'met' : 'MISSED'}`)],
];
const MEDIAN_COLUMNS = [
  ...COLUMNS.slice(0, -2),
  ['× nest-floor', (row) => `${row.cpuToNestFloor.toFixed(2)} (${row.cpuToNestFloorOfRuns.map((value) => value.toFixed(2)).join(', ')})`],
  COLUMNS.at(-1),
];

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
  redis: execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1],
};

const runs = [];
for (let index = 1; index <= config.runs; index++) {
  log();
  log(`== run ${index} of ${config.runs}`);
  const run = await runSet({
    config,
    log,
    logDir: join(runDir, 'logs', `run-${index}`),
    profileDir,
    profileLabel: (name) => (config.runs > 1 ? `${name}-run${index}` : name),
  });
  const cases = rowsOf(run.results);
  const table = markdownTable(COLUMNS, cases);
  runs.push({ run: index, startedAt: new Date(run.startedAt).toISOString(), totalSeconds: run.totalSeconds, loadAverageAtStart: run.loadAverageAtStart, cases, after: run.after, table });
  log();
  log(`Run ${index} of ${config.runs}, ${new Date(run.startedAt).toISOString()}, load average ${run.loadAverageAtStart} at start, ${run.totalSeconds} s:`);
  log();
  log(table);
  const after = run.after;
  log();
  log(`After run ${index}: service RSS ${(after.serviceRssBytes / 2 ** 20).toFixed(0)} MiB; Redis ${after.redisKeys} keys, used_memory ${(after.redisUsedMemoryBytes / 2 ** 20).toFixed(1)} MiB.`);
}
stopAll();

const medianCases = medianRows(runs);
const medianTable = markdownTable(MEDIAN_COLUMNS, medianCases);
log();
log(
  `phone-auth benchmark, ${new Date(benchStartedAt).toISOString()}, commit ${code.commit ?? '?'}${code.srcChanged ? ' with changes in src/' : ''}: ` +
    `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, Redis ${machine.redis}`,
);
log(
  `${config.connections} connections, ${config.durationS} s per case after ${config.warmupS} s of warm-up; ` +
    `median of ${config.runs} run${config.runs === 1 ? '' : 's'} (load average at their starts: ${runs.map((run) => run.loadAverageAtStart).join(', ')})`,
);
log();
log(medianTable);
log();
log(`Each number is the median over the runs of that column; × nest-floor is the median of the runs' multiples (each run's in brackets).`);
log(`× HTTP and × EVALSHA: req/s ÷ the ceiling's req/s. × nest-floor: service CPU µs per request ÷ nest-floor's, in the same run.`);
log(`"unexpected" counts answers other than the case's expected status (verify-wrong expects 400 invalid_code) and socket errors.`);
const missed = medianCases.filter((row) => row.met === false).map((row) => row.case);
const judged = medianCases.filter((row) => row.met !== null).length;
log(missed.length === 0 ? `Every target is met (${judged} judged on the median).` : `Targets missed on the median: ${missed.join(', ')}.`);
log(`Total time ${((Date.now() - benchStartedAt) / 1000).toFixed(0)} s.`);

const output = {
  startedAt: new Date(benchStartedAt).toISOString(),
  totalSeconds: Math.round((Date.now() - benchStartedAt) / 1000),
  code,
  machine,
  settings: { ...config, appDir: undefined, record: undefined, expectedStatus: EXPECTED_STATUS, targets: TARGETS },
  runs,
  median: { cases: medianCases, table: medianTable, missed },
};
saveResults({ resultsDir, runDir, out, output, record: config.record, reference: 'latest.json', log });
process.exit(0);

// Where the benchmark's results and logs go. Every run writes into a folder of its own,
// bench/results/runs/<UTC time>/ (gitignored): its JSON results, and its process logs under
// logs/, kept so that the folder a run names is still there to read. The tracked reference
// results (bench/results/latest.json, memory.json, latency.json) change only when someone asks:
// `--record` on the run, or `npm run bench:record` afterwards (bench/record.mjs).
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** The result file of each mode inside a run's folder, and the tracked reference it may become. */
export const RESULT_FILES = { bench: 'bench.json', memory: 'memory.json', latency: 'latency.json' };
export const REFERENCE_FILES = { 'bench.json': 'latest.json', 'memory.json': 'memory.json', 'latency.json': 'latency.json' };

/** `2026-12-02T14-30-01Z`: sortable, and a valid file name everywhere (no colons). */
export function runStamp(date = new Date()) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(':', '-');
}

/** Creates bench/results/runs/<stamp>/ and its logs/ folder; a second run in the same second gets `-2`, `-3`, … */
export function newRunDir(resultsDir, date = new Date()) {
  const runsDir = join(resultsDir, 'runs');
  mkdirSync(runsDir, { recursive: true });
  const stamp = runStamp(date);
  for (let attempt = 1; ; attempt++) {
    const dir = join(runsDir, attempt === 1 ? stamp : `${stamp}-${attempt}`);
    try {
      mkdirSync(dir);
    } catch (error) {
      if (error.code === 'EEXIST') continue;
      throw error;
    }
    mkdirSync(join(dir, 'logs'));
    return dir;
  }
}

/** Writes JSON through a temporary file and a rename, so a reader never sees half a file. */
export function writeJson(file, value) {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * `npm run bench [-- memory | -- latency] [-- --record]`: the mode (undefined for the throughput
 * bench) and whether to record the result as the tracked reference.
 */
export function parseArgs(argv) {
  const flags = argv.filter((arg) => arg.startsWith('--'));
  const positional = argv.filter((arg) => !arg.startsWith('--'));
  const unknown = flags.filter((flag) => flag !== '--record');
  return { mode: positional[0], extra: positional.slice(1), record: flags.includes('--record'), unknown };
}

/** The newest run folder under bench/results/runs/ holding at least one result file, or undefined. */
export function newestRunDir(resultsDir) {
  const runsDir = join(resultsDir, 'runs');
  if (!existsSync(runsDir)) return undefined;
  const withResults = readdirSync(runsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && Object.values(RESULT_FILES).some((file) => existsSync(join(runsDir, entry.name, file))))
    .map((entry) => entry.name)
    .sort(byStamp);
  return withResults.length === 0 ? undefined : join(runsDir, withResults.at(-1));
}

/**
 * Copies a run's result file (bench.json, memory.json or latency.json) over its tracked reference
 * in `resultsDir`; given a run folder, every result file in it. Returns the references written.
 */
export function recordRun(resultsDir, source) {
  if (!existsSync(source)) throw new Error(`${source} does not exist`);
  const files = statSync(source).isDirectory()
    ? Object.values(RESULT_FILES).map((file) => join(source, file)).filter((file) => existsSync(file))
    : [source];
  if (files.length === 0) throw new Error(`no result file (${Object.values(RESULT_FILES).join(', ')}) in ${source}`);
  return files.map((file) => {
    const reference = REFERENCE_FILES[basename(file)];
    if (!reference) throw new Error(`${file} is not a result file (${Object.values(RESULT_FILES).join(', ')})`);
    return recordFile(resultsDir, file, reference);
  });
}

/** Copies `file` over `resultsDir/reference` (through a rename). */
export function recordFile(resultsDir, file, reference) {
  const target = join(resultsDir, reference);
  copyFileSync(file, `${target}.tmp`);
  renameSync(`${target}.tmp`, target);
  return target;
}

/**
 * The end of every mode: writes the run's results, says where they and the logs are, and copies
 * them over the tracked reference only when `record` is set.
 */
export function saveResults({ resultsDir, runDir, out, output, record, reference, log }) {
  writeJson(out, output);
  log(`Results: ${out}`);
  log(`Process logs: ${join(runDir, 'logs')}`);
  if (record) log(`Recorded as the reference: ${recordFile(resultsDir, out, reference)} (commit it)`);
  else log(`The tracked reference bench/results/${reference} is unchanged (npm run bench:record makes this run the reference).`);
}

/** Orders stamps in time: `…Z` before `…Z-2` before `…Z-10`. */
function byStamp(a, b) {
  const [, stampA = a, nA = '1'] = /^(.*Z)(?:-(\d+))?$/.exec(a) ?? [];
  const [, stampB = b, nB = '1'] = /^(.*Z)(?:-(\d+))?$/.exec(b) ?? [];
  return stampA === stampB ? Number(nA) - Number(nB) : stampA < stampB ? -1 : 1;
}

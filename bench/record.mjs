#!/usr/bin/env node
// npm run bench:record [-- <run folder or result file>]: makes a finished run the tracked
// reference. Copies bench.json to bench/results/latest.json (memory.json and latency.json to
// their namesakes) from the given run, or from the newest folder in bench/results/runs/.
// Nothing is measured; commit the reference afterwards. BENCH_RESULTS_DIR: another results folder.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestRunDir, recordRun } from './lib/results.mjs';

const resultsDir = resolve(process.env.BENCH_RESULTS_DIR ?? join(dirname(fileURLToPath(import.meta.url)), 'results'));
const source = process.argv[2] === undefined ? newestRunDir(resultsDir) : resolve(process.argv[2]);
if (source === undefined) {
  process.stderr.write(`no run in ${resultsDir}/runs/ yet: npm run bench first\n`);
  process.exit(1);
}
try {
  for (const reference of recordRun(resultsDir, source)) process.stdout.write(`${source} → ${reference}\n`);
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

#!/usr/bin/env node
// Top functions of a V8 .cpuprofile (from `node --cpu-prof` or `BENCH_PROFILE=1 npm run bench`):
// self time by function, self time by package, and total (inclusive) time by function.
// Usage: node bench/profile-top.mjs FILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

const [file, countArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-top.mjs FILE.cpuprofile [N]\n');
  process.exit(2);
}
const top = Number(countArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

// Time per sample from the deltas (µs).
const selfMicros = new Map();
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
});
const totalMicros = [...selfMicros.values()].reduce((a, b) => a + b, 0);
const idle = [...selfMicros].filter(([id]) => nodes.get(id).callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
const busy = totalMicros - idle;

const shortUrl = (url) => {
  if (!url) return '';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
};
const packageOf = (frame) => {
  const url = frame.url ?? '';
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native/builtin)';
  if (url.startsWith('node:')) return 'node:internal';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  if (url.includes('/dist/')) return `app: ${url.slice(url.indexOf('/dist/') + 6).split('/')[0]}`;
  return url;
};
const label = (frame) => `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;

const bySelf = new Map();
const byPackage = new Map();
const byTotal = new Map();
for (const [id, micros] of selfMicros) {
  const frame = nodes.get(id).callFrame;
  if (frame.functionName === '(idle)') continue;
  bySelf.set(label(frame), (bySelf.get(label(frame)) ?? 0) + micros);
  byPackage.set(packageOf(frame), (byPackage.get(packageOf(frame)) ?? 0) + micros);
  // Inclusive: every distinct function on the stack gets the sample once.
  const seen = new Set();
  for (let cursor = id; cursor !== undefined; cursor = parent.get(cursor)) {
    const key = label(nodes.get(cursor).callFrame);
    if (seen.has(key)) continue;
    seen.add(key);
    byTotal.set(key, (byTotal.get(key) ?? 0) + micros);
  }
}

const print = (title, map, n) => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    process.stdout.write(`${((100 * micros) / busy).toFixed(1).padStart(6)} %  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}\n`);
  }
};
process.stdout.write(`${file}: ${(totalMicros / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy time)\n`);
print('Self time by package', byPackage, 20);
print('Self time by function', bySelf, top);
print('Total (inclusive) time by function', byTotal, top);

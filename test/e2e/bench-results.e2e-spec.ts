import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// bench/lib/results.mjs is plain ESM outside the compiled tree: drive it through node, as npm run bench does.
const RESULTS_LIB = resolve('bench/lib/results.mjs');
const node = (script: string, env: Record<string, string> = {}) =>
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });

function resultsDirWithReference() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  writeFileSync(join(dir, 'latest.json'), '{"reference":true}\n');
  writeFileSync(join(dir, 'memory.json'), '{"memoryReference":true}\n');
  return dir;
}

const finishRun = (dir: string, record: boolean, stamp = '2026-12-02T14:30:01Z') =>
  node(`
    import { join } from 'node:path';
    import { writeFileSync } from 'node:fs';
    import { newRunDir, saveResults } from ${JSON.stringify(RESULTS_LIB)};
    const runDir = newRunDir(${JSON.stringify(dir)}, new Date(${JSON.stringify(stamp)}));
    writeFileSync(join(runDir, 'logs', 'service.log'), 'a line\\n');
    saveResults({ resultsDir: ${JSON.stringify(dir)}, runDir, out: join(runDir, 'bench.json'), output: { run: runDir }, record: ${record}, reference: 'latest.json', log: console.log });
  `);

describe('npm run bench results', () => {
  it('writes a run into its own folder, keeps its logs and leaves the tracked reference alone', () => {
    const dir = resultsDirWithReference();
    const output = finishRun(dir, false);
    const runDir = join(dir, 'runs', '2026-12-02T14-30-01Z');
    expect(output).toContain(`Results: ${join(runDir, 'bench.json')}`);
    expect(output).toContain(`Process logs: ${join(runDir, 'logs')}`);
    expect(JSON.parse(readFileSync(join(runDir, 'bench.json'), 'utf8'))).toEqual({ run: runDir });
    expect(readFileSync(join(runDir, 'logs', 'service.log'), 'utf8')).toBe('a line\n');
    expect(readFileSync(join(dir, 'latest.json'), 'utf8')).toBe('{"reference":true}\n');
  });

  it('gives a second run in the same second a folder of its own', () => {
    const dir = resultsDirWithReference();
    finishRun(dir, false);
    finishRun(dir, false);
    expect(readdirSync(join(dir, 'runs')).sort()).toEqual(['2026-12-02T14-30-01Z', '2026-12-02T14-30-01Z-2']);
  });

  it('copies the run over the reference with --record', () => {
    const dir = resultsDirWithReference();
    const output = finishRun(dir, true);
    const runDir = join(dir, 'runs', '2026-12-02T14-30-01Z');
    expect(output).toContain(`Recorded as the reference: ${join(dir, 'latest.json')}`);
    expect(JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'))).toEqual({ run: runDir });
  });

  it('records the newest finished run with npm run bench:record, nothing else', () => {
    const dir = resultsDirWithReference();
    const names = ['2026-12-02T14-30-01Z', '2026-12-02T15-00-00Z', ...[2, 9, 10].map((n) => `2026-12-02T15-00-00Z-${n}`)];
    for (const name of names) {
      mkdirSync(join(dir, 'runs', name, 'logs'), { recursive: true });
      writeFileSync(join(dir, 'runs', name, 'bench.json'), JSON.stringify({ run: join(dir, 'runs', name) }));
    }
    // A later run that failed before writing results is not the newest finished one.
    mkdirSync(join(dir, 'runs', '2026-12-02T16-00-00Z', 'logs'), { recursive: true });
    const newest = join(dir, 'runs', '2026-12-02T15-00-00Z-10');
    const output = execFileSync(process.execPath, ['bench/record.mjs'], { encoding: 'utf8', env: { ...process.env, BENCH_RESULTS_DIR: dir } });
    expect(output.trim()).toBe(`${newest} → ${join(dir, 'latest.json')}`);
    expect(JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'))).toEqual({ run: newest });
    expect(readFileSync(join(dir, 'memory.json'), 'utf8')).toBe('{"memoryReference":true}\n');
  });

  it('records a named memory run over memory.json only', () => {
    const dir = resultsDirWithReference();
    const runDir = join(dir, 'runs', 'by-hand');
    mkdirSync(join(runDir, 'logs'), { recursive: true });
    writeFileSync(join(runDir, 'memory.json'), '{"memory":2}\n');
    execFileSync(process.execPath, ['bench/record.mjs', runDir], { encoding: 'utf8', env: { ...process.env, BENCH_RESULTS_DIR: dir } });
    expect(readFileSync(join(dir, 'memory.json'), 'utf8')).toBe('{"memory":2}\n');
    expect(readFileSync(join(dir, 'latest.json'), 'utf8')).toBe('{"reference":true}\n');
  });

  it('refuses to record when no run has finished', () => {
    const dir = resultsDirWithReference();
    const result = spawnSync(process.execPath, ['bench/record.mjs'], { encoding: 'utf8', env: { ...process.env, BENCH_RESULTS_DIR: dir } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('npm run bench first');
  });

  it('refuses unknown arguments before measuring anything', () => {
    const result = spawnSync(process.execPath, ['bench/run.mjs', '--recrod'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('[-- --record]');
  });

  it('keeps runs out of git and the reference in it', () => {
    expect(execFileSync('git', ['check-ignore', 'bench/results/runs/2026-12-02T14-30-01Z/bench.json'], { encoding: 'utf8' }).trim()).not.toBe('');
    expect(existsSync('bench/results/latest.json')).toBe(true);
    expect(execFileSync('git', ['ls-files', 'bench/results/latest.json'], { encoding: 'utf8' }).trim()).toBe('bench/results/latest.json');
  });
});

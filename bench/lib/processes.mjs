// Child processes of the benchmark: a throwaway redis-server, the built service, the ceiling
// server. Every one listens on loopback on a free port and is stopped by its own pid.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A free TCP port on 127.0.0.1 (never 6379: the OS hands out ephemeral ports). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** User + system CPU time of a process (all its threads), in microseconds. */
export function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may hold spaces: ") S ppid ..."; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/** Resident set size of a process, in bytes. */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

const children = new Set();

/** Stops every child this process started, by pid. */
export function stopAll(signal = 'SIGTERM') {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}
process.once('exit', () => stopAll('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopAll('SIGKILL');
    process.exit(130);
  });
}

function track(child, name, logFile) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (logFile) {
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  child.name = name;
  return child;
}

/** Ends a child and waits for it (SIGKILL after `graceMs`). */
export async function stop(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startRedis(logDir) {
  const port = await freePort();
  const child = track(
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning', '--protected-mode', 'yes'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
    'redis-server',
    join(logDir, 'redis.log'),
  );
  await waitForPort(port, child, 'redis-server');
  return { port, url: `redis://127.0.0.1:${port}`, pid: child.pid, child };
}

/** Runs a Node script as a child (its own pid, so its CPU can be read from /proc). */
export async function startNode({ name, script, args = [], nodeArgs = [], env, cwd, port, logFile, ready }) {
  const child = track(
    spawn(process.execPath, [...nodeArgs, script, ...args], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    name,
    logFile,
  );
  await waitForHttp(`http://127.0.0.1:${port}${ready}`, child, name, logFile);
  return { port, pid: child.pid, child, url: `http://127.0.0.1:${port}` };
}

async function waitForPort(port, child, name) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${name} did not listen on ${port}`);
    await sleep(50);
  }
}

async function waitForHttp(url, child, name, logFile) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      let tail = '';
      try {
        tail = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
      } catch {}
      throw new Error(`${name} exited with ${child.exitCode} before it answered ${url}\n${tail}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${name} did not answer ${url} within 60 s`);
    await sleep(100);
  }
}

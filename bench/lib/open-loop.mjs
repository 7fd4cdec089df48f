// A fixed-rate (open-loop) load generator: request i is due at start + i / rate whatever the
// answers before it did, so a slow answer does not hold back the requests after it (autocannon's
// `overallRate` sends each second's budget in a burst over busy connections instead).
// node:http with a keep-alive agent of `connections` sockets; a request due while every socket
// is busy waits in the agent's queue, and that wait counts in its latency from schedule.
import { Agent, request as httpRequest } from 'node:http';
import { cpuMicros } from './processes.mjs';

/**
 * Sends `rate` requests per second for `duration` seconds to `url + path`.
 * - `next()` gives each request's { body, headers, item } (null: the data ran out, the run ends);
 * - `onResponse(status, body, item)` sees every answer;
 * - `pids` name processes whose CPU time is read from /proc before and after.
 * Latencies in ms with µs resolution, two ways: from the moment the request is written (as
 * bench/lib/load.mjs measures) and from the moment it was due (open loop: includes the
 * scheduler's lateness and any wait for a free socket).
 */
export async function runFixedRate({ url, path, method = 'POST', rate, duration, connections = 64, next, onResponse, expectStatus, pids = {}, timeoutMs = 10_000 }) {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: connections, scheduling: 'fifo' });
  const fromWrite = [];
  const fromDue = [];
  const statusCounts = {};
  let errors = 0;
  let sent = 0;
  let completed = 0;
  let exhausted = false;
  let lastDoneAt = 0;
  let maxLagMs = 0;
  let lagSumMs = 0;
  const intervalMs = 1000 / rate;
  const total = Math.floor(rate * duration);

  const fire = (dueAt, item) =>
    new Promise((resolve) => {
      const body = item.body ?? '';
      const req = httpRequest(
        {
          agent,
          host: hostname,
          port,
          method,
          path: item.path ?? path,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...item.headers },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => {
            const doneAt = performance.now();
            lastDoneAt = doneAt;
            completed += 1;
            fromWrite.push(doneAt - writtenAt);
            fromDue.push(doneAt - dueAt);
            statusCounts[res.statusCode] = (statusCounts[res.statusCode] ?? 0) + 1;
            onResponse?.(res.statusCode, Buffer.concat(chunks).toString('utf8'), item.item);
            resolve();
          });
        },
      );
      let writtenAt = 0;
      req.on('socket', (socket) => {
        // Written once a socket is free: the agent's queue wait is in `fromDue` only.
        const write = () => {
          writtenAt = performance.now();
        };
        if (socket.connecting) socket.once('connect', write);
        else write();
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end(body);
    });

  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMicros(pid)]));
  const ownBefore = process.cpuUsage();
  const inFlight = new Set();
  const startedAt = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && startedAt + sent * intervalMs <= now) {
        const dueAt = startedAt + sent * intervalMs;
        const item = next();
        if (item === null) {
          exhausted = true;
          break;
        }
        const lag = now - dueAt;
        lagSumMs += lag;
        if (lag > maxLagMs) maxLagMs = lag;
        sent += 1;
        const promise = fire(dueAt, item);
        inFlight.add(promise);
        promise.then(() => inFlight.delete(promise));
      }
      if (sent >= total || exhausted) return resolve();
      setTimeout(tick, Math.max(0, startedAt + sent * intervalMs - performance.now()));
    };
    tick();
  });
  const scheduleEndedAt = performance.now();
  await Promise.all(inFlight);
  const after = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMicros(pid)]));
  const own = process.cpuUsage(ownBefore);
  agent.destroy();

  const percentiles = (values) => {
    values.sort((a, b) => a - b);
    const at = (p) => (values.length ? Number(values[Math.min(values.length - 1, Math.floor((p / 100) * values.length))].toFixed(3)) : NaN);
    return { p50Ms: at(50), p99Ms: at(99), p999Ms: at(99.9), maxMs: values.length ? Number(values.at(-1).toFixed(3)) : NaN };
  };
  const unexpected = Object.entries(statusCounts)
    .filter(([code]) => Number(code) !== expectStatus)
    .reduce((sum, [, count]) => sum + count, 0);
  const cpu = Object.fromEntries(Object.keys(pids).map((name) => [name, completed > 0 ? (after[name] - before[name]) / completed : NaN]));
  cpu.loadGenerator = completed > 0 ? (own.user + own.system) / completed : NaN;
  const scheduleS = (scheduleEndedAt - startedAt) / 1000;
  return {
    targetRate: rate,
    sent,
    completed,
    // Answers per second over the whole run, from the first request due to the last answer.
    achievedRate: completed / ((lastDoneAt - startedAt) / 1000 || 1),
    sentRate: sent / (scheduleS || 1),
    durationS: Number(scheduleS.toFixed(2)),
    fromWrite: percentiles(fromWrite),
    fromDue: percentiles(fromDue),
    schedulerLagMs: { mean: Number((lagSumMs / (sent || 1)).toFixed(3)), max: Number(maxLagMs.toFixed(3)) },
    statusCounts,
    errors,
    unexpected: unexpected + errors,
    cpuMicrosPerRequest: cpu,
    exhausted,
  };
}

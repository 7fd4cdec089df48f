// One timed autocannon run, with per-request bodies and the server-side CPU it cost.
import autocannon from 'autocannon';
import { cpuMicros } from './processes.mjs';

/**
 * Runs autocannon against `url + path`.
 * - `next()` gives each request's { body, headers, item } (null when a finite pool is spent: the
 *   run then ends early; pass `amount` to bound the run by the pool's size instead);
 * - `onResponse(status, body, item)`, when given, sees every answer (bodies are then collected);
 * - `pids` name the processes whose CPU time is read from /proc before and after.
 * Bounded by `duration` seconds in any case.
 */
export async function runLoad({
  url,
  method = 'POST',
  path,
  headers = {},
  connections,
  duration,
  amount,
  next,
  onResponse,
  pids = {},
  expectStatus = method === 'POST' ? 200 : 200,
}) {
  let last = null;
  // Our own latencies, in ms with µs resolution (autocannon's are whole milliseconds): from the
  // moment a request is built (right before it is written; pipelining 1) to its complete answer.
  const latencies = [];
  let exhausted = false;
  let instance;
  const request = {
    method,
    path,
    headers: { 'content-type': 'application/json', ...headers },
    setupRequest(req, context) {
      let item = next();
      if (item === null) {
        // A spent pool: end the run; the few requests still to go reuse the last item.
        if (!exhausted) {
          exhausted = true;
          setImmediate(() => instance?.stop());
        }
        item = last;
      }
      last = item;
      context.item = item.item;
      context.sentAt = performance.now();
      if (item.path !== undefined) req.path = item.path;
      if (item.body !== undefined) req.body = item.body;
      if (item.headers !== undefined) req.headers = { ...req.headers, ...item.headers };
      return req;
    },
  };
  request.onResponse = (status, body, context) => {
    latencies.push(performance.now() - context.sentAt);
    onResponse?.(status, body, context.item);
  };

  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMicros(pid)]));
  const startedAt = performance.now();
  const ownBefore = process.cpuUsage();
  instance = autocannon({
    url,
    connections,
    pipelining: 1,
    // Bounded by time unless a finite amount is asked for; then both bound it.
    ...(amount ? { amount } : { duration }),
    sampleInt: 100,
    timeout: 10,
    requests: [request],
  });
  const timer = amount ? setTimeout(() => instance.stop(), duration * 1000) : undefined;
  const result = await instance;
  clearTimeout(timer);
  const elapsedS = (performance.now() - startedAt) / 1000;
  const own = process.cpuUsage(ownBefore);
  const after = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMicros(pid)]));

  const completed = result.requests.total ?? result.totalCompletedRequests;
  const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]));
  const unexpected = Object.entries(statusCounts)
    .filter(([code]) => Number(code) !== expectStatus)
    .reduce((sum, [, count]) => sum + count, 0);
  const cpu = Object.fromEntries(
    Object.keys(pids).map((name) => [name, completed > 0 ? (after[name] - before[name]) / completed : NaN]),
  );
  cpu.loadGenerator = completed > 0 ? (own.user + own.system) / completed : NaN;
  latencies.sort((a, b) => a - b);
  const percentile = (p) => (latencies.length ? Number(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(2)) : NaN);
  return {
    completed,
    durationS: result.duration || elapsedS,
    rps: completed / (result.duration || elapsedS),
    p50Ms: percentile(50),
    p99Ms: percentile(99),
    meanMs: Number((latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1)).toFixed(2)),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCounts,
    unexpected: unexpected + result.errors + result.timeouts,
    cpuMicrosPerRequest: cpu,
    exhausted,
  };
}

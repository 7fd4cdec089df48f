// One run of the whole set of `npm run bench`: fresh processes (Redis, the service, the ceiling
// server, the NestJS floor), the three yardsticks, then the service's cases, each a warm-up and
// a timed run; every process stopped at the end.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad } from './load.mjs';
import { freePort, startRedis, stop } from './processes.mjs';
import { endUserIp, newApiKey, phoneSequence, serviceEnv, startCeiling, startNestFloor, startService } from './service.mjs';

export const EXPECTED_STATUS = {
  http: 200,
  evalsha: 200,
  'nest-floor': 200,
  send: 202,
  'verify-wrong': 400,
  'verify-right': 200,
  refresh: 200,
};
/** verify-wrong spends OTP_MAX_ATTEMPTS (10) wrong codes on each verification. */
const ATTEMPTS = 10;

/**
 * Runs the set once. `config` is run.mjs's; `logDir` receives the processes' logs (kept);
 * `label` names this run's profiles (`<case>` or `<case>-run<k>`). Returns the per-case load
 * results and the state after the run.
 */
export async function runSet({ config, log, logDir, profileDir, profileLabel = (name) => name }) {
  const startedAt = Date.now();
  const loadAverageAtStart = loadavg()[0];
  if (loadAverageAtStart > 1) log(`warning: load average ${loadAverageAtStart.toFixed(2)} before the run: other work on this machine skews the numbers`);
  const workDir = logDir;
  mkdirSync(workDir, { recursive: true });
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
  const floor = await startNestFloor({ logFile: join(workDir, 'nest-floor.log') });
  log(
    `redis-server :${redis.port} (pid ${redis.pid}), phone-auth :${service.port} (pid ${service.pid}), ` +
      `ceiling :${ceiling.port} (pid ${ceiling.pid}), nest-floor :${floor.port} (pid ${floor.pid})`,
  );
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
    const label = profileLabel(name);
    if (target === service) await signalProfiler(label);
    // A finite pool bounds the timed run by its size too, so no request goes out without data.
    const left = remaining?.();
    if (left !== undefined && left < config.connections) throw new Error(`${name}: only ${left} prepared requests left`);
    const result = await runLoad({ ...base, amount: left, duration: config.durationS, pids: { server: target.pid, redis: redis.pid } });
    if (target === service && profileDir) {
      process.kill(service.pid, 'SIGUSR2');
      for (let i = 0; i < 100; i++) {
        try {
          if (readFileSync(join(profileDir, '.stopped'), 'utf8') === label) break;
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

  // 1, 2: the ceilings; 3: the framework floor.
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
  await measure('nest-floor', {
    target: floor,
    path: '/floor/check',
    next: () => ({ body: JSON.stringify({ phone: nextPhone(), code: '123456' }) }),
  });

  // 4: send, random valid Indian mobiles, as an API-key client for varied end users.
  if (config.cases.includes('send')) {
    await measure('send', { target: service, path: '/v1/otp/send', next: () => sendItem(nextPhone()), onResponse: recordSend });
  }

  // 5: verify with a wrong code, by verificationId.
  if (config.cases.includes('verify-wrong')) {
    // At most the one-round-trip ceiling, with a margin, for warm-up and run.
    const wanted = Math.ceil((1.2 * results.evalsha.rps * (config.warmupS + config.durationS)) / ATTEMPTS);
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

  // 6: verify with the right code, read from the outbox before the timed run.
  if (config.cases.includes('verify-right') || config.cases.includes('refresh')) {
    const sendRps = results.send?.rps ?? results.evalsha.rps * 0.6;
    const wanted = Math.ceil(
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

  // 7: refresh. Each answer's new refresh token goes to the back of the queue, so the sessions
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

  const serviceRssBytes = Number(readFileSync(`/proc/${service.pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m)?.[1] ?? NaN) * 1024;
  const redisInfo = execFileSync('redis-cli', ['-p', String(redis.port), 'info', 'memory'], { encoding: 'utf8' });
  const redisUsedMemoryBytes = Number(/used_memory:(\d+)/.exec(redisInfo)?.[1]);
  const redisKeys = Number(execFileSync('redis-cli', ['-p', String(redis.port), 'dbsize'], { encoding: 'utf8' }).trim());
  await stop(service.child);
  await stop(floor.child);
  await stop(ceiling.child);
  await stop(redis.child);
  return {
    startedAt,
    totalSeconds: Math.round((Date.now() - startedAt) / 1000),
    loadAverageAtStart: Number(loadAverageAtStart.toFixed(2)),
    results,
    after: { serviceRssBytes, redisKeys, redisUsedMemoryBytes },
  };
}

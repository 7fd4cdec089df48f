// Builds (when stale) and starts the built service, the ceiling server and the NestJS floor for a benchmark.
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startNode } from './processes.mjs';

export const BENCH_DIR = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
export const REPO_DIR = join(BENCH_DIR, '..');

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** `npx nest build` when dist/main.js is missing or older than src/ or the build settings. */
export function ensureBuilt(appDir, log = (line) => process.stdout.write(`${line}\n`)) {
  const main = join(appDir, 'dist', 'main.js');
  const inputs = ['src', 'tsconfig.json', 'nest-cli.json', 'package.json'].map((name) => join(appDir, name)).filter(existsSync);
  const newestInput = Math.max(...inputs.map(newestMtime));
  if (existsSync(main) && statSync(main).mtimeMs >= newestInput) {
    log(`dist/ is up to date (${appDir})`);
    return;
  }
  log(`dist/ is stale or missing: npx nest build (${appDir})`);
  const build = spawnSync('npx', ['nest', 'build'], { cwd: appDir, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`nest build failed (exit ${build.status})`);
}

/** A fresh API key for the benchmark's client, and its API_KEYS entry (see scripts/apikey.mjs). */
export function newApiKey(name = 'bench') {
  const key = `pa_${randomBytes(32).toString('base64url')}`;
  return { key, entry: `${name}:${createHash('sha256').update(key).digest('hex')}` };
}

/**
 * The service's environment for a benchmark: Redis, the outbox provider, a generated key and
 * API key, warn-level logs, and every limit raised so that it costs what it costs but refuses
 * nothing (windows of 10 s: RATE_LIMIT_*_PER_IP requests per 10 s per address is far above
 * what one machine can send).
 */
export function serviceEnv({ port, redisUrl, apiKeyEntry, extra = {} }) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    // Nothing from the caller's shell may change the service's settings.
    if (/^(REDIS_|OTP_|RATE_LIMIT_|PREFIX_BREAKER_|SMS_|JWT_|API_|TEST_PHONE|ALLOWED_|DENIED_|COUNTRY_|TRUST_PROXY|CORS_|NODE_ENV|LOG_LEVEL|PUBLIC_URL|DEFAULT_COUNTRY|BLOCKED_)/.test(name)) {
      delete env[name];
    }
  }
  return {
    ...env,
    NODE_ENV: 'development',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    REDIS_URL: redisUrl,
    // Required with a shared store: the tokens' issuer and audience.
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    OTP_HMAC_SECRET: randomBytes(32).toString('base64'),
    JWT_PRIVATE_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    SMS_PROVIDERS: 'outbox',
    API_KEYS: apiKeyEntry,
    OTP_TTL_SECONDS: '600',
    OTP_MAX_ATTEMPTS: '10',
    OTP_PHONE_MAX_FAILURES: '100',
    OTP_RESEND_COOLDOWN_SECONDS: '30',
    OTP_PHONE_MAX_SENDS_PER_HOUR: '100',
    OTP_PHONE_MAX_SENDS_PER_DAY: '1000',
    RATE_LIMIT_SEND_PER_IP: '100000',
    RATE_LIMIT_SEND_WINDOW_SECONDS: '10',
    RATE_LIMIT_VERIFY_PER_IP: '100000',
    RATE_LIMIT_VERIFY_WINDOW_SECONDS: '10',
    RATE_LIMIT_REFRESH_PER_IP: '100000',
    RATE_LIMIT_REFRESH_WINDOW_SECONDS: '10',
    PREFIX_BREAKER_MIN_SENDS: '100000',
    ...extra,
  };
}

/** Starts `node dist/main.js` of `appDir` (optionally with the per-case profiler preloaded). */
export async function startService({ appDir, env, logFile, profileDir, nodeArgs = [] }) {
  const port = Number(env.PORT);
  const args = [...nodeArgs];
  if (profileDir) args.push('--import', join(BENCH_DIR, 'lib', 'profile-hook.mjs'));
  return startNode({
    name: 'phone-auth',
    script: join(appDir, 'dist', 'main.js'),
    nodeArgs: args,
    env: profileDir ? { ...env, BENCH_PROFILE_DIR: profileDir } : env,
    // Not the repository: a stray .env there must not change the settings.
    cwd: join(logFile, '..'),
    port,
    logFile,
    ready: '/health/ready',
  });
}

export async function startCeiling({ redisUrl, logFile }) {
  const port = await freePort();
  return startNode({
    name: 'ceiling',
    script: join(BENCH_DIR, 'ceiling-server.mjs'),
    args: [String(port), redisUrl],
    env: { ...process.env, NODE_ENV: 'production' },
    cwd: BENCH_DIR,
    port,
    logFile,
    ready: '/health',
  });
}

/** The minimal NestJS app of the `nest-floor` case (bench/nest-floor-server.mjs). */
export async function startNestFloor({ logFile }) {
  const port = await freePort();
  return startNode({
    name: 'nest-floor',
    script: join(BENCH_DIR, 'nest-floor-server.mjs'),
    args: [String(port)],
    env: { ...process.env, NODE_ENV: 'production' },
    cwd: BENCH_DIR,
    port,
    logFile,
    ready: '/floor/health',
  });
}

/**
 * Unique valid Indian mobile numbers, +9198 and eight digits: the n-th is a fixed permutation of
 * n (multiplying by a number prime to 10^8), so none repeats within a run.
 */
export function phoneSequence() {
  const offset = Math.floor(Math.random() * 1e8);
  let n = 0;
  return () => {
    n += 1;
    const digits = (offset + n * 12_345_679) % 1e8;
    return `+9198${String(digits).padStart(8, '0')}`;
  };
}

/** A different end-user address for each request: 10.x.y.z. */
export function endUserIp(n) {
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

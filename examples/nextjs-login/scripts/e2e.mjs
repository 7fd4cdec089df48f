#!/usr/bin/env node
// npm test: builds this app, compiles and starts phone-auth (this repository's src/) with a
// fake Turnstile siteverify, starts `next start` twice (without and with the bot-check widget),
// all on free loopback ports, then logs in with headless Chromium driven by playwright-core
// (Turnstile's widget script faked through page.route: no network). Stops everything it
// started; exits non-zero on any failure; gives up 3 minutes after the builds (10 minutes for
// them). The client SDK this app uses (packages/client) is built first, with the repository
// root's tools.
//
//   E2E_SKIP_BUILD=1       use the existing .next and packages/client builds
//   PHONE_AUTH_MAIN=…      start this phone-auth build (a dist/main.js) instead of compiling src/
//   CHROMIUM_PATH=…        default /usr/bin/chromium (`apt-get install -y chromium`)
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The builds (the SDK, this app, phone-auth) get their own, longer limit: on a busy machine
// `next build` alone can take minutes. The 3 minutes count from when they are done.
const BUILD_DEADLINE_MS = 600_000;
const DEADLINE_MS = 180_000;
const started = Date.now();
const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(appDir, '../..');
const artifacts = path.join(appDir, 'test-artifacts');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const PHONE = '+919876543210';
const CAPTCHA_PHONE = '+447400123456'; // SMS only (CHANNEL_ORDER below)
const TURNSTILE_ORIGIN = 'https://challenges.cloudflare.com';

const children = [];
const servers = [];
const logs = new Map();
let browser;
let passed = 0;
let failed = 0;
let inCheck = false;

let deadline;
function armDeadline(ms, what) {
  clearTimeout(deadline);
  deadline = setTimeout(() => {
    console.error(`\nFAIL: gave up after ${ms / 1000} s ${what}`);
    void finish(1);
  }, ms);
}
armDeadline(BUILD_DEADLINE_MS, 'building');

function elapsed() {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/** Runs a command to completion, output shown; rejects on a non-zero exit. */
function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    children.push(child);
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}`)),
    );
  });
}

/** Starts a server in its own process group, its output kept for the failure report. */
function startServer(name, command, args, options) {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines = [];
  logs.set(name, lines);
  const keep = (chunk) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.group = true; // kill its whole process group (next start's workers too)
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return child;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(name, url, child, timeoutMs) {
  const until = Date.now() + timeoutMs;
  let exited;
  void child.exited.then((code) => (exited = code));
  while (Date.now() < until) {
    if (exited !== undefined) throw new Error(`${name} exited (${exited}) before answering ${url}`);
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs / 1000} s`);
}

/**
 * Turnstile's siteverify, played on 127.0.0.1 (phone-auth's CAPTCHA_VERIFY_URL): a form with
 * secret, response, remoteip, idempotency_key in; `success` only for a token it issued, once.
 * https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
 */
async function startFakeSiteverify(secret) {
  const issued = new Set();
  const requests = [];
  const server = createHttpServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ path: request.url, form });
      const known = form.secret === secret && issued.delete(form.response);
      const errors = form.secret !== secret ? ['invalid-input-secret'] : known ? [] : ['invalid-input-response'];
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ success: known, 'error-codes': errors, ...(known ? { hostname: '127.0.0.1', action: 'login' } : {}) }));
    });
  });
  servers.push(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/turnstile/v0/siteverify`,
    requests,
    issue() {
      const token = `solved-${randomBytes(12).toString('base64url')}`;
      issued.add(token);
      return token;
    },
  };
}

/**
 * Stands in for Turnstile's api.js: a button instead of Cloudflare's iframe; each click "solves"
 * the check with the next token. It records how it was rendered and how often it was reset.
 */
function fakeTurnstileScript(tokens) {
  return `'use strict';
(() => {
  const tokens = ${JSON.stringify(tokens)};
  window.fakeTurnstile = { renders: [], resets: 0 };
  window.turnstile = {
    render(container, options) {
      window.fakeTurnstile.renders.push({ sitekey: options.sitekey, action: options.action });
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = "I'm not a robot";
      button.addEventListener('click', () => options.callback(tokens.shift()));
      container.append(button);
      return 'widget-' + window.fakeTurnstile.renders.length;
    },
    reset() { window.fakeTurnstile.resets += 1; },
    remove() {},
  };
})();`;
}

async function check(description, body) {
  inCheck = true;
  try {
    await body();
    inCheck = false;
    passed += 1;
    console.log(`ok - ${description}`);
  } catch (error) {
    failed += 1;
    console.log(`not ok - ${description}\n  ${String(error?.stack ?? error).split('\n').join('\n  ')}`);
    throw error;
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function finish(code) {
  clearTimeout(deadline);
  try {
    await browser?.close();
  } catch {
    // already gone
  }
  for (const server of servers) server.close();
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(child.group ? -child.pid : child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await Promise.race([
    Promise.all(children.filter((child) => child.exited).map((child) => child.exited)),
    new Promise((resolve) => setTimeout(resolve, 5_000)),
  ]);
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.group ? -child.pid : child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  if (code !== 0) {
    for (const [name, lines] of logs) console.error(`\n--- last lines of ${name} ---\n${lines.slice(-40).join('\n')}`);
  }
  console.log(`\n${passed} passed, ${failed} failed (${elapsed()})`);
  process.exit(code);
}

async function main() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  // playwright-core is a devDependency of the repository root (its own browser test uses it).
  const require = createRequire(path.join(appDir, 'package.json'));
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    throw new Error('playwright-core not found: run `npm ci` at the repository root');
  }

  const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? tmpdir(), NEXT_TELEMETRY_DISABLED: '1' };

  // 1. Build the client SDK this app imports (packages/client; its build is not committed), then this app.
  if (process.env.E2E_SKIP_BUILD !== '1') {
    console.log('# building @phone-auth/client');
    await run('npm', ['run', 'build', '-w', '@phone-auth/client'], { cwd: repoRoot, env: baseEnv });
    console.log('# next build');
    await run(process.execPath, [path.join(appDir, 'node_modules/next/dist/bin/next'), 'build'], {
      cwd: appDir,
      env: { ...baseEnv, NODE_ENV: 'production' },
    });
    console.log(`# built (${elapsed()})`);
  }

  // 2. phone-auth, compiled from this repository's src/ into a directory of this test's own (so
  // a concurrent `nest build` of dist/ cannot pull files from under it), or PHONE_AUTH_MAIN.
  let phoneAuthMain = process.env.PHONE_AUTH_MAIN;
  if (!phoneAuthMain) {
    const rootRequire = createRequire(path.join(repoRoot, 'package.json'));
    let tsc;
    try {
      tsc = rootRequire.resolve('typescript/bin/tsc');
    } catch {
      throw new Error('typescript not found at the repository root: run `npm ci` there first');
    }
    const outDir = path.join(appDir, '.e2e', 'phone-auth');
    rmSync(outDir, { recursive: true, force: true });
    console.log('# compiling phone-auth (tsc)');
    await run(process.execPath, [tsc, '-p', path.join(repoRoot, 'tsconfig.json'), '--outDir', outDir], { cwd: repoRoot, env: baseEnv });
    // Files that are not TypeScript (the demo page's assets) go along, as nest build's assets would.
    const src = path.join(repoRoot, 'src');
    for (const entry of readdirSync(src, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
      const from = path.join(entry.parentPath ?? entry.path, entry.name);
      const to = path.join(outDir, path.relative(src, from));
      mkdirSync(path.dirname(to), { recursive: true });
      cpSync(from, to);
    }
    phoneAuthMain = path.join(outDir, 'main.js');
    console.log(`# compiled (${elapsed()})`);
  }
  armDeadline(DEADLINE_MS, 'after the builds');
  const apiKey = `pa_${randomBytes(32).toString('base64url')}`;
  const captchaSecret = randomBytes(16).toString('hex');
  const captchaSiteKey = '0x4AAAAAAAE2eTestSiteKey';
  const siteverify = await startFakeSiteverify(captchaSecret);
  const phoneAuthPort = await freePort();
  const phoneAuthUrl = `http://127.0.0.1:${phoneAuthPort}`;
  // A scratch working directory, so no .env file of a developer's is read.
  const scratch = mkdtempSync(path.join(tmpdir(), 'nextjs-login-e2e-'));
  const phoneAuth = startServer('phone-auth', process.execPath, [phoneAuthMain], {
    cwd: scratch,
    env: {
      ...baseEnv,
      NODE_ENV: 'development',
      PORT: String(phoneAuthPort),
      PUBLIC_URL: phoneAuthUrl,
      SMS_PROVIDERS: 'outbox',
      WHATSAPP_PROVIDERS: 'outbox',
      VOICE_PROVIDERS: 'outbox',
      // Indian numbers get WhatsApp first, then SMS, then a call; the rest of the world SMS.
      CHANNEL_ORDER: 'IN:whatsapp+sms+voice,*:sms',
      // Long enough to see the buttons wait, short enough not to slow the test.
      OTP_RESEND_COOLDOWN_SECONDS: '2',
      OTP_VOICE_RESEND_COOLDOWN_SECONDS: '0',
      API_KEYS: `nextjs-e2e:${createHash('sha256').update(apiKey).digest('hex')}`,
      // The bot check, enforced. This app's key skips it unless the app relays a token, so the
      // app without the widget below is unaffected; the one with it is checked.
      CAPTCHA_PROVIDER: 'turnstile',
      CAPTCHA_MODE: 'enforce',
      CAPTCHA_SECRET: captchaSecret,
      CAPTCHA_SITE_KEY: captchaSiteKey,
      CAPTCHA_VERIFY_URL: siteverify.url,
      CAPTCHA_EXPECTED_HOSTNAMES: '127.0.0.1',
      DEMO_PAGE: 'false', // this app is the login page here
      LOG_LEVEL: 'warn',
    },
  });
  // 3. This app, configured by its environment like any deployment: once as it ships, once with
  // the bot-check widget (same build: the settings are read at run time).
  const nextBin = path.join(appDir, 'node_modules/next/dist/bin/next');
  const startApp = async (name, extraEnv) => {
    const port = await freePort();
    const child = startServer(name, process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', String(port)], {
      cwd: appDir,
      env: {
        ...baseEnv,
        NODE_ENV: 'production',
        PHONE_AUTH_URL: phoneAuthUrl,
        PHONE_AUTH_API_KEY: apiKey,
        COOKIE_SECURE: 'false', // plain http on 127.0.0.1
        ...extraEnv,
      },
    });
    return { name, child, url: `http://127.0.0.1:${port}` };
  };
  const plain = await startApp('next start', {});
  const guarded = await startApp('next start (bot check)', { CAPTCHA_PROVIDER: 'turnstile', CAPTCHA_SITE_KEY: captchaSiteKey });
  await Promise.all([
    waitForHttp('phone-auth', `${phoneAuthUrl}/.well-known/jwks.json`, phoneAuth, 30_000).then(() => console.log(`# phone-auth on ${phoneAuthUrl} (${elapsed()})`)),
    ...[plain, guarded].map((app) => waitForHttp(app.name, `${app.url}/login`, app.child, 30_000).then(() => console.log(`# ${app.name} on ${app.url} (${elapsed()})`))),
  ]);
  const appUrl = plain.url;

  // 4. The browser.
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ baseURL: appUrl });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const shot = (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  const cookie = async (name) => (await context.cookies(appUrl)).find((c) => c.name === name);
  // Whatever the pages' CSP blocks (Chromium reports it on the console) or throws.
  const problems = [];
  const watch = (watched) => {
    watched.on('console', (message) => /Content Security Policy/i.test(message.text()) && problems.push(message.text()));
    watched.on('pageerror', (error) => problems.push(String(error)));
  };
  watch(page);

  try {
    await check('/dashboard without cookies redirects to /login', async () => {
      await page.goto('/dashboard');
      await page.waitForURL('**/login');
      await page.getByLabel('Phone number').waitFor();
    });

    const newestMessage = async () => {
      const outbox = await fetch(`${phoneAuthUrl}/v1/dev/outbox?phone=${encodeURIComponent(PHONE)}`).then((r) => r.json());
      const message = outbox.messages?.[0];
      assert(message?.to === PHONE, `nothing in the outbox: ${JSON.stringify(outbox)}`);
      return message;
    };
    const otherChannels = page.getByRole('group', { name: 'Other ways to get the code' }).getByRole('button');
    const disabled = async () => Promise.all((await otherChannels.all()).map((button) => button.isDisabled()));

    let whatsapp;
    let whatsappCode;
    await check('send a code: phone-auth\'s order for India sends it by WhatsApp', async () => {
      await page.getByLabel('Phone number').fill(PHONE);
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Code', { exact: true }).waitFor();
      const notice = await page.getByRole('status').textContent();
      assert(notice === `We sent a code by WhatsApp to ${PHONE}.`, `unexpected notice: ${notice}`);
      const code_input = page.getByLabel('Code', { exact: true });
      assert((await code_input.getAttribute('autocomplete')) === 'one-time-code', 'code field autocomplete');
      assert((await code_input.getAttribute('inputmode')) === 'numeric', 'code field inputmode');
      whatsapp = await newestMessage();
      assert(whatsapp.channel === 'whatsapp', `sent by ${whatsapp.channel}`);
      whatsappCode = /^(\d{6}) is your /.exec(whatsapp.text)?.[1];
      assert(whatsappCode, `no code in the WhatsApp message: ${whatsapp.text}`);
      await shot('1-code-form');
    });

    let code;
    await check('the other channels wait out the cooldown; "Call me instead" calls with a new code', async () => {
      const labels = await otherChannels.allTextContents();
      assert(
        labels.length === 2 && /^Send by SMS instead \(in [12] s\)$/.test(labels[0]) && /^Call me instead \(in [12] s\)$/.test(labels[1]),
        `unexpected buttons: ${JSON.stringify(labels)}`,
      );
      assert(JSON.stringify(await disabled()) === '[true,true]', 'the buttons do not wait for the cooldown');
      const waitedFrom = Date.now();
      // click() waits for the button to be enabled: once phone-auth takes a resend.
      await page.getByRole('button', { name: 'Call me instead', exact: true }).click();
      await page.getByText(`We are calling ${PHONE}`).waitFor();
      assert(Date.now() - waitedFrom > 500, 'the call was placed before the cooldown passed');
      const notice = await page.getByRole('status').textContent();
      assert(
        notice === `We are calling ${PHONE}: the call reads out the code. The code sent before no longer works.`,
        `unexpected notice: ${notice}`,
      );
      const call = await newestMessage();
      assert((await page.evaluate(() => document.activeElement?.id)) === 'code', 'the code field does not have the focus');
      assert(call.channel === 'voice', `resent by ${call.channel}`);
      assert(call.verificationId === whatsapp.verificationId, 'the call opened another verification');
      code = /^Your phone-auth code is ((?:\d, ){5}\d)\. Again: \1\.$/.exec(call.text)?.[1]?.replace(/, /g, '');
      assert(code, `no spoken code in the call: ${call.text}`);
      assert(code !== whatsappCode, 'the call spoke the WhatsApp code');
      // After a call the cooldown is OTP_VOICE_RESEND_COOLDOWN_SECONDS (0 here).
      const after = await otherChannels.allTextContents();
      assert(JSON.stringify(after) === '["Send by WhatsApp instead","Send by SMS instead"]', `unexpected buttons: ${JSON.stringify(after)}`);
      assert(JSON.stringify(await disabled()) === '[false,false]', 'the buttons still wait');
      await shot('2-called');
    });

    await check('the WhatsApp code no longer works: phone-auth\'s detail and the tries left', async () => {
      await page.getByLabel('Code', { exact: true }).fill(whatsappCode);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // (Next's own route announcer is a role=alert element too.)
      const alert = page.locator('main [role="alert"]');
      await alert.waitFor();
      const message = await alert.textContent();
      assert(/4 tries left/.test(message ?? ''), `unexpected message: ${message}`);
      await shot('3-wrong-code');
    });

    await check('the right code lands on /dashboard, signed in', async () => {
      await page.getByLabel('Code', { exact: true }).fill(code);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL('**/dashboard');
      await page.getByText(`Signed in as ${PHONE}`).waitFor();
      await shot('4-dashboard');
    });

    let refreshBefore;
    await check('the tokens are in httpOnly, SameSite=Lax cookies, never in the page', async () => {
      const access = await cookie('pa_access');
      refreshBefore = await cookie('pa_refresh');
      assert(access && refreshBefore, 'pa_access and pa_refresh cookies missing');
      for (const c of [access, refreshBefore]) {
        assert(c.httpOnly && c.sameSite === 'Lax' && c.path === '/', `cookie ${c.name}: ${JSON.stringify(c)}`);
      }
      assert(!(await cookie('pa_verification')), 'the verification cookie is left over');
      assert(!(await page.content()).includes(access.value), 'the access token is in the page');
      assert(!(await page.content()).includes(apiKey), 'the API key is in the page');
      // The session was made through this app's API key, for this browser.
      const { sessions } = await fetch(`${phoneAuthUrl}/v1/sessions`, { headers: { authorization: `Bearer ${access.value}` } }).then((r) => r.json());
      const current = sessions?.find((session) => session.current);
      assert(current?.clientId === 'nextjs-e2e', `session not made with the API key: ${JSON.stringify(sessions)}`);
      assert(/Chrome/.test(current.userAgent ?? ''), `the browser's user agent was not passed on: ${current.userAgent}`);
    });

    await check('an expired access token is refreshed and both cookies rotate', async () => {
      // The access cookie lives exactly as long as its token: removing it is what expiry does.
      await context.clearCookies({ name: 'pa_access' });
      await page.goto('/dashboard');
      await page.getByText(`Signed in as ${PHONE}`).waitFor();
      const access = await cookie('pa_access');
      const refresh = await cookie('pa_refresh');
      assert(access, 'no new access cookie');
      assert(refresh && refresh.value !== refreshBefore.value, 'the refresh cookie did not rotate');
      // The spent refresh token is refused by phone-auth now (within its reuse grace, without ending the session).
      const reuse = await fetch(`${phoneAuthUrl}/v1/sessions/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: refreshBefore.value }),
      });
      assert(reuse.status === 401, `spent refresh token answered ${reuse.status}`);
    });

    await check('sign out ends the session at phone-auth and clears the cookies', async () => {
      const access = (await cookie('pa_access')).value;
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL('**/login');
      assert(!(await cookie('pa_access')) && !(await cookie('pa_refresh')), 'cookies left after sign out');
      const sessions = await fetch(`${phoneAuthUrl}/v1/sessions`, { headers: { authorization: `Bearer ${access}` } });
      assert(sessions.status === 401, `the ended session's token still works at phone-auth (${sessions.status})`);
      await page.goto('/dashboard');
      await page.waitForURL('**/login');
    });

    await check('every page has a CSP: scripts from itself or with its nonce, the widget\'s origins only where configured', async () => {
      assert(problems.length === 0, `blocked or failed in the browser: ${problems.join('\n')}`);
      const policyOf = async (url) => {
        const response = await fetch(`${url}/login`);
        const policy = response.headers.get('content-security-policy') ?? '';
        const directives = new Map(policy.split(';').map((directive) => directive.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
        return { policy, directives, html: await response.text() };
      };
      const plainPolicy = await policyOf(plain.url);
      const script = plainPolicy.directives.get('script-src') ?? [];
      const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(script[1] ?? '')?.[1];
      assert(script[0] === "'self'" && nonce && script.length === 2, `plain app script-src: ${plainPolicy.policy}`);
      assert(plainPolicy.html.includes(`nonce="${nonce}"`), 'Next.js did not put the nonce on its scripts');
      assert(JSON.stringify(plainPolicy.directives.get('frame-src')) === `["'none'"]`, `plain app frame-src: ${plainPolicy.policy}`);
      assert(!/unsafe-inline|unsafe-eval|strict-dynamic/.test(plainPolicy.policy), `plain app policy: ${plainPolicy.policy}`);
      const guardedPolicy = await policyOf(guarded.url);
      const guardedScript = guardedPolicy.directives.get('script-src') ?? [];
      assert(guardedScript.length === 3 && guardedScript[2] === TURNSTILE_ORIGIN && guardedScript[1] !== script[1], `widget app script-src: ${guardedPolicy.policy}`);
      assert(JSON.stringify(guardedPolicy.directives.get('frame-src')) === JSON.stringify([TURNSTILE_ORIGIN]), `widget app frame-src: ${guardedPolicy.policy}`);
      assert(!/hcaptcha|google|gstatic/.test(guardedPolicy.policy), `another provider's origin is allowed: ${guardedPolicy.policy}`);
    });

    // With the bot check: a new browser profile on the app with the widget. Turnstile's script
    // is faked; any other request off this machine is refused and counted.
    const goodToken = siteverify.issue();
    const captchaContext = await browser.newContext({ baseURL: guarded.url });
    captchaContext.setDefaultTimeout(15_000);
    const offMachine = [];
    await captchaContext.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${TURNSTILE_ORIGIN}/`)) {
        return route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: fakeTurnstileScript(['forged-by-a-bot', goodToken]) });
      }
      if (new URL(url).hostname === '127.0.0.1') return route.continue();
      offMachine.push(url);
      return route.abort();
    });
    const captchaPage = await captchaContext.newPage();
    watch(captchaPage);
    const captchaShot = (name) => captchaPage.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
    const captchaOutbox = async () => (await fetch(`${phoneAuthUrl}/v1/dev/outbox?phone=${encodeURIComponent(CAPTCHA_PHONE)}`).then((r) => r.json())).messages ?? [];
    const robot = captchaPage.getByRole('button', { name: "I'm not a robot" });
    const alert = captchaPage.locator('main [role="alert"]');

    try {
      await check('with the widget configured: it renders with the site key; a send without solving it is refused', async () => {
        await captchaPage.goto('/login');
        await robot.waitFor();
        const renders = await captchaPage.evaluate(() => window.fakeTurnstile.renders);
        assert(JSON.stringify(renders) === JSON.stringify([{ sitekey: captchaSiteKey, action: 'login' }]), `rendered with ${JSON.stringify(renders)}`);
        await captchaShot('5-captcha');
        await captchaPage.getByLabel('Phone number').fill(CAPTCHA_PHONE);
        await captchaPage.getByRole('button', { name: 'Send code' }).click();
        await alert.waitFor();
        assert((await alert.textContent()) === 'Complete the bot check first.', `unexpected message: ${await alert.textContent()}`);
        assert((await captchaPage.getByLabel('Phone number').inputValue()) === CAPTCHA_PHONE, 'the typed number was lost');
        assert((await captchaOutbox()).length === 0, 'a code was sent without the bot check');
        assert(siteverify.requests.length === 0, 'siteverify was asked without a token');
        await captchaShot('6-captcha-unsolved');
      });

      await check('a token the provider refuses: phone-auth\'s captcha_failed is shown, the widget resets', async () => {
        await robot.click();
        await captchaPage.getByRole('button', { name: 'Send code' }).click();
        await captchaPage.getByText('The bot check (CAPTCHA) did not pass. Complete it again.').waitFor();
        assert((await captchaOutbox()).length === 0, 'a code was sent on a refused token');
        assert(siteverify.requests.length === 1 && siteverify.requests[0].form.response === 'forged-by-a-bot', `siteverify saw ${JSON.stringify(siteverify.requests)}`);
        assert((await captchaPage.evaluate(() => window.fakeTurnstile.resets)) === 1, 'the widget was not reset after the send');
        assert((await captchaPage.locator('input[name="captchaToken"]').inputValue()) === '', 'the spent token is still in the form');
      });

      await check('solved: the server action relays the token with the person\'s address; the code comes; signed in', async () => {
        await robot.click();
        await captchaPage.getByRole('button', { name: 'Send code' }).click();
        await captchaPage.getByLabel('Code', { exact: true }).waitFor();
        const notice = await captchaPage.getByRole('status').textContent();
        assert(notice === `We sent a code by SMS to ${CAPTCHA_PHONE}.`, `unexpected notice: ${notice}`);
        const { form } = siteverify.requests.at(-1);
        assert(siteverify.requests.length === 2 && form.response === goodToken, `siteverify saw ${JSON.stringify(siteverify.requests)}`);
        assert(form.secret === captchaSecret && form.remoteip === '127.0.0.1' && form.idempotency_key, `siteverify form: ${JSON.stringify({ ...form, secret: '…' })}`);
        // The spent token is gone; a resend needs the check again (the widget is there for it).
        const fields = await captchaPage.locator('input[name="captchaToken"]').evaluateAll((inputs) => inputs.map((input) => input.value));
        assert(fields.length > 0 && fields.every((value) => value === ''), `token fields after the send: ${JSON.stringify(fields)}`);
        await robot.waitFor();
        await captchaShot('7-captcha-code-form');
        const [message] = await captchaOutbox();
        const code = /^(\d{6}) is your /.exec(message?.text ?? '')?.[1];
        assert(message?.channel === 'sms' && code, `unexpected message: ${JSON.stringify(message)}`);
        await captchaPage.getByLabel('Code', { exact: true }).fill(code);
        await captchaPage.getByRole('button', { name: 'Sign in' }).click();
        await captchaPage.waitForURL('**/dashboard');
        await captchaPage.getByText(`Signed in as ${CAPTCHA_PHONE}`).waitFor();
        assert(offMachine.length === 0, `requests off this machine: ${offMachine.join(', ')}`);
        assert(problems.length === 0, `blocked or failed in the browser: ${problems.join('\n')}`);
      });
    } catch (error) {
      await captchaShot('failure-captcha').catch(() => {});
      throw error;
    }
  } catch (error) {
    await shot('failure').catch(() => {});
    throw error;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => finish(0),
  async (error) => {
    if (!inCheck) console.error(`\nFAIL: ${error?.stack ?? error}`);
    await finish(1);
  },
);

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { AddressInfo } from 'node:net';
import { RedisCluster, redisClusterAvailable } from '../support/redis-cluster.js';
import { SystemClock } from '../../src/common/time/clock.js';
import { RedisEventLog } from '../../src/events/redis-event-log.js';
import { RedisScripts } from '../../src/redis/redis-scripts.js';
import { CONTRACT_KEYS } from '../contracts/every-store.js';
import { freePort, RedisServer, redisServerAvailable } from '../support/redis-server.js';
import { TEST_HMAC_SECRET, testSigningKeyPem } from '../support/test-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

// The built service as operators run it: `node dist/main.js`, configured by its environment only.
const MAIN = 'dist/main.js';

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(env: Record<string, string>): Running {
  let output = '';
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForPort(port: number, running: Running, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const response = await fetch(`http://${host}:${port}/health/live`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`service did not start:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const post = (port: number, path: string, body: object) =>
  fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the built service process', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['node_modules/@nestjs/cli/bin/nest.js', 'build'], { stdio: 'ignore' });
  }, 120_000);

  it('refuses to boot in production without a safe configuration, naming every setting at fault', async () => {
    const running = run({ NODE_ENV: 'production' });
    expect(await running.exited).not.toBe(0);
    const output = running.output();
    for (const setting of ['REDIS_URL', 'JWT_PRIVATE_KEY_FILE', '"console"']) expect(output).toContain(setting);
  });

  it('lists in its first production refusal every setting a shared store needs, each once', async () => {
    const running = run({ NODE_ENV: 'production', SMS_PROVIDERS: 'sinch-sms', SINCH_PROJECT_ID: 'p', SINCH_KEY_ID: 'k', SINCH_KEY_SECRET: 's' });
    expect(await running.exited).toBe(1);
    const lines = running.output().trim().split('\n');
    expect(lines[0]).toBe('Invalid environment:');
    const named = (setting: string) => lines.filter((line) => line.includes(setting)).length;
    expect(['PUBLIC_URL', 'REDIS_URL', 'OTP_HMAC_SECRET', 'JWT_PRIVATE_KEY'].map(named)).toEqual([1, 1, 1, 1]);
    expect(lines).toHaveLength(5);
  });

  it('refuses PORT=abc in one line stating the range', async () => {
    const running = run({ PORT: 'abc' });
    expect(await running.exited).toBe(1);
    expect(running.output()).toBe('Invalid environment:\n  - PORT must be an integer from 1 to 65535\n');
  });

  it('refuses a port in use in one line and exits 1, with no stack trace and no startup line before it', async () => {
    const taken = createTcpServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const running = run({ PORT: String(port) });
      expect(await running.exited).toBe(1);
      expect(running.output()).toBe(`port ${port} on 0.0.0.0 is in use (EADDRINUSE); set PORT or stop the other process\n`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('listens only on HOST, and takes LOG_LEVEL=info', async () => {
    const port = await freePort();
    // 127.0.0.2 is loopback too on Linux, but not the 127.0.0.1 the default would also answer on.
    const running = run({ PORT: String(port), HOST: '127.0.0.2', LOG_LEVEL: 'info' });
    try {
      await waitForPort(port, running, '127.0.0.2');
      await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
      expect(running.output()).toContain(`phone-auth listening on 127.0.0.2 port ${port}`);
    } finally {
      running.child.kill('SIGKILL');
    }
  });

  it('logs a run of logins without any code, token or full phone number', async () => {
    const port = await freePort();
    const running = run({ PORT: String(port), SMS_PROVIDERS: 'outbox', RATE_LIMIT_SEND_PER_IP: '1000' });
    try {
      await waitForPort(port, running);
      const secrets: string[] = [];
      for (let login = 0; login < 3; login += 1) {
        const phone = `+9198765432${10 + login}`;
        const sent = (await (await post(port, '/v1/otp/send', { phone })).json()) as { verificationId: string };
        const outbox = (await (await fetch(`http://127.0.0.1:${port}/v1/dev/outbox?phone=${encodeURIComponent(phone)}`)).json()) as {
          messages: { text: string }[];
        };
        const code = /^(\d{6})/.exec(outbox.messages[0].text)?.[1] ?? '';
        await post(port, '/v1/otp/verify', { verificationId: sent.verificationId, code: code === '000000' ? '111111' : '000000' });
        const tokens = (await (await post(port, '/v1/otp/verify', { verificationId: sent.verificationId, code })).json()) as {
          accessToken: string;
          refreshToken: string;
        };
        secrets.push(code, phone, phone.slice(1), tokens.accessToken, tokens.refreshToken.split('.')[1]);
      }
      const output = running.output();
      expect(output).toContain('code verified for +91******3210');
      for (const secret of secrets) expect(output.includes(secret) ? secret : 'absent').toBe('absent');
    } finally {
      running.child.kill('SIGKILL');
    }
  });

  it('on SIGTERM turns not ready, finishes the request in flight, and exits 0 within 10 s', async () => {
    // A webhook gateway that answers slowly keeps one send in flight across the SIGTERM.
    const gateway: Server = createServer((request, response) => {
      request.resume();
      setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"m1"}'), 1500);
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const port = await freePort();
    const running = run({
      PORT: String(port),
      SMS_PROVIDERS: 'webhook',
      SMS_WEBHOOK_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`,
      SMS_WEBHOOK_SECRET: 'webhook-secret-of-at-least-32-characters',
      SHUTDOWN_DRAIN_MS: '1000',
    });
    try {
      await waitForPort(port, running);
      const inFlight = post(port, '/v1/otp/send', { phone: '+919876543210' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalledAt = Date.now();
      running.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(503);
      expect((await inFlight).status).toBe(202);
      const code = await running.exited;
      expect({ code, output: code === 0 ? '' : running.output().slice(-1500) }).toEqual({ code: 0, output: '' });
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
    } finally {
      running.child.kill('SIGKILL');
      gateway.closeAllConnections();
      gateway.close();
    }
  });

  (redisClusterAvailable ? describe : describe.skip)('two processes on a 3-master Redis Cluster', () => {
    let cluster: RedisCluster;
    const instances: { port: number; running: Running }[] = [];
    const url = (i: number, path: string) => `http://127.0.0.1:${instances[i % 2].port}${path}`;
    const postTo = (i: number, path: string, body: object, headers: Record<string, string> = {}) =>
      fetch(url(i, path), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    /** Sends on instance `i` and reads the code from the outbox (a Redis list) through the other one. */
    const sendAndReadCode = async (i: number, phone: string) => {
      const sent = await postTo(i, '/v1/otp/send', { phone });
      expect(sent.status).toBe(202);
      const { verificationId } = (await sent.json()) as { verificationId: string };
      const outbox = (await (await fetch(url(i + 1, `/v1/dev/outbox?phone=${encodeURIComponent(phone)}`))).json()) as { messages: { text: string }[] };
      return { verificationId, code: /^(\d{6})/.exec(outbox.messages[0]?.text ?? '')?.[1] ?? '' };
    };
    type Tokens = { accessToken: string; refreshToken: string };

    beforeAll(async () => {
      cluster = await RedisCluster.start();
      const env = {
        REDIS_CLUSTER_NODES: cluster.nodes,
        OTP_HMAC_SECRET: TEST_HMAC_SECRET,
        JWT_PRIVATE_KEY: testSigningKeyPem(),
        // The issuer and audience of the tokens: without it each process names itself by its port.
        PUBLIC_URL: 'http://auth.example.test',
        SMS_PROVIDERS: 'outbox',
        LOG_LEVEL: 'warn',
        // Every request comes from 127.0.0.1: limits high enough to count but never refuse.
        RATE_LIMIT_SEND_PER_IP: '100000',
        RATE_LIMIT_VERIFY_PER_IP: '100000',
        RATE_LIMIT_REFRESH_PER_IP: '100000',
        PREFIX_BREAKER_MIN_SENDS: '100000',
      };
      for (let i = 0; i < 2; i++) {
        const port = await freePort();
        const running = run({ ...env, PORT: String(port) });
        instances.push({ port, running });
        await waitForPort(port, running);
      }
    }, 60_000);
    afterAll(async () => {
      for (const { running } of instances) running.child.kill('SIGKILL');
      await Promise.all(instances.map(({ running }) => running.exited));
      await cluster?.stop();
    });

    it('verifies on one process the code sent by the other, then refreshes and logs out across them', async () => {
      const { verificationId, code } = await sendAndReadCode(0, '+919876500001');
      const verified = await postTo(1, '/v1/otp/verify', { verificationId, code });
      expect(verified.status).toBe(200);
      const first = (await verified.json()) as Tokens;
      const onA = await postTo(0, '/v1/sessions/refresh', { refreshToken: first.refreshToken });
      expect(onA.status).toBe(200);
      const onB = await postTo(1, '/v1/sessions/refresh', { refreshToken: ((await onA.json()) as Tokens).refreshToken });
      expect(onB.status).toBe(200);
      const last = (await onB.json()) as Tokens;
      const loggedOut = await postTo(0, '/v1/sessions/logout', {}, { authorization: `Bearer ${last.accessToken}` });
      expect(loggedOut.status).toBe(204);
      expect((await postTo(1, '/v1/sessions/refresh', { refreshToken: last.refreshToken })).status).toBe(401);
      expect((await fetch(url(1, '/v1/sessions'), { headers: { authorization: `Bearer ${last.accessToken}` } })).status).toBe(401);
    });

    it('gives exactly one 200 to 40 racing verifies of one code split over both processes', async () => {
      const { verificationId, code } = await sendAndReadCode(0, '+919876500002');
      const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => postTo(i, '/v1/otp/verify', { verificationId, code }).then((r) => r.status)));
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 404)).toHaveLength(39);
    });

    it('logs in 200 phones, each sent on one process and verified on the other', async () => {
      const phones = Array.from({ length: 200 }, (_, i) => `+9198766${String(i).padStart(5, '0')}`);
      const statuses = await Promise.all(
        phones.map(async (phone, i) => {
          const { verificationId, code } = await sendAndReadCode(i, phone);
          return (await postTo(i + 1, '/v1/otp/verify', { verificationId, code })).status;
        }),
      );
      expect(statuses).toEqual(phones.map(() => 200));
    }, 60_000);
  });
  (redisServerAvailable ? describe : describe.skip)('a process killed while delivering events', () => {
    let server: RedisServer;
    let receiver: WebhookReceiver;
    const running: Running[] = [];
    afterAll(async () => {
      for (const process of running) process.child.kill('SIGKILL');
      await Promise.all(running.map((process) => process.exited));
      await receiver?.stop();
      await server?.stop();
    });

    it('leaves the events it read pending, and the next process delivers them', async () => {
      server = await RedisServer.start();
      receiver = await WebhookReceiver.start();
      receiver.setMode('hang');
      const env = {
        REDIS_URL: server.url,
        OTP_HMAC_SECRET: TEST_HMAC_SECRET,
        JWT_PRIVATE_KEY: testSigningKeyPem(),
        PUBLIC_URL: 'http://auth.example.test',
        LOG_LEVEL: 'warn',
        EVENT_WEBHOOKS: JSON.stringify([receiver.subscriber()]),
        EVENT_POLL_INTERVAL_MS: '50',
        EVENT_DELIVERY_TIMEOUT_MS: '5000',
        EVENT_CLAIM_IDLE_MS: '11000',
      };
      const first = await freePort();
      running.push(run({ ...env, PORT: String(first) }));
      await waitForPort(first, running[0]);
      // Recorded as the service's scripts record them: XADD to the shard streams (under the default key prefix).
      const redis = server.client();
      redis.options.keyPrefix = 'phone-auth:';
      const log = new RedisEventLog({ client: redis, keys: CONTRACT_KEYS, scripts: new RedisScripts(redis) }, new SystemClock(), 1000);
      const ids: string[] = [];
      for (let n = 0; n < 24; n += 1) {
        const draft = log.draft({ userId: `usr_${n}` });
        await log.append('user.created', draft);
        ids.push(draft.id);
      }
      redis.disconnect();
      // Killed while every delivery hangs: nothing was acknowledged.
      const deadline = Date.now() + 10_000;
      while (receiver.hangingCount < ids.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(receiver.hangingCount).toBe(ids.length);
      running[0].child.kill('SIGKILL');
      await running[0].exited;
      receiver.setMode('ok');
      expect(receiver.received.size).toBe(0);

      const second = await freePort();
      running.push(run({ ...env, PORT: String(second) }));
      await waitForPort(second, running[1]);
      await receiver.waitFor(ids, 40_000);
      expect(receiver.duplicates).toBe(0);
    }, 90_000);
  });
});

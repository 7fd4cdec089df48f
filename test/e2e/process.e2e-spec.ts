import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { freePort } from '../support/redis-server.js';

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

async function waitForPort(port: number, running: Running): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/live`);
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
});

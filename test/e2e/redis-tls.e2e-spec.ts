import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { EventLog } from '../../src/events/event-log.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { describeWithRedisCluster, RedisCluster } from '../support/redis-cluster.js';
import { describeWithRedis, RedisSentinel, RedisServer } from '../support/redis-server.js';
import {
  adminOptions,
  makeCertificates,
  RedisSecurity,
  removeCertificates,
  SERVICE_ACL_USER,
  serviceAclRules,
  TlsFiles,
} from '../support/redis-tls.js';
import {
  AppSettings,
  bearer,
  json,
  login,
  phoneSequence,
  postJson,
  refreshSession,
  sharedStoreSettings,
  startTestApp,
  TestApp,
  verifyCode,
} from '../support/e2e-kit.js';

// Passwords without spaces: the harness passes ACL rules as redis.conf words.
const ADMIN_PASSWORD = 'admin-password-of-the-harness';
const SERVICE_PASSWORD = 'service-password-from-a-file';
const SENTINEL_ADMIN_PASSWORD = 'sentinel-admin-password';
const SENTINEL_PASSWORD = 'sentinel-password-of-the-service';
const SENTINEL_USER = 'phone-auth-sentinel';
// What ioredis asks a sentinel: the master's address, the other sentinels, and (after a failover) the replicas.
const SENTINEL_ACL_RULES =
  '-@all +ping +hello +auth +sentinel|get-master-addr-by-name +sentinel|sentinels +sentinel|replicas +sentinel|slaves +subscribe &+switch-master';

const nextPhone = phoneSequence('987611');
const API_KEY = 'pa_redis_tls_test_key_0123456789abcdef';
const API_KEYS = `ops:${createHash('sha256').update(API_KEY).digest('hex')}`;

let tls: TlsFiles;
let passwordFile: string;

beforeAll(() => {
  tls = makeCertificates();
  passwordFile = join(tls.dir, 'redis-password');
  // As a Docker or Kubernetes secret holds it: with a trailing newline.
  writeFileSync(passwordFile, `${SERVICE_PASSWORD}\n`);
});
afterAll(() => removeCertificates(tls));

/** TLS-only servers that want a client certificate, a default user for the harness, and the service's ACL user. */
const secured = (...extraUsers: string[]): RedisSecurity => ({
  tls,
  mutualTls: true,
  adminPassword: ADMIN_PASSWORD,
  users: [`${SERVICE_ACL_USER} on >${SERVICE_PASSWORD} ${serviceAclRules()}`, ...extraUsers],
});

/** What an operator sets for such a server: the CA, the client certificate and the ACL user with its password file. */
const serviceTlsSettings = (overrides: AppSettings = {}): AppSettings => ({
  REDIS_TLS_CA_FILE: tls.caFile,
  REDIS_TLS_CERT_FILE: tls.clientCertFile,
  REDIS_TLS_KEY_FILE: tls.clientKeyFile,
  REDIS_USERNAME: SERVICE_ACL_USER,
  REDIS_PASSWORD_FILE: passwordFile,
  ...overrides,
});

/**
 * The whole login flow, touching every kind of store operation: readiness (PING), a send with
 * an Idempotency-Key (scripts, MULTI), the status (HGETALL), a wrong then the right code,
 * refresh, the session list, logout, and the spent refresh token refused.
 */
async function loginFlowPasses(t: TestApp): Promise<void> {
  const ready = await t.inject({ method: 'GET', url: '/health/ready' });
  expect([ready.statusCode, json(ready).details?.store]).toEqual([200, expect.objectContaining({ status: 'up', kind: 'redis' })]);

  const phone = nextPhone();
  const sent = await postJson(t, '/v1/otp/send', { phone }, { 'idempotency-key': `tls-${phone}` });
  expect(sent.statusCode).toBe(202);
  const { verificationId } = json(sent);
  const code = t.codes.last;
  const status = await t.inject({ method: 'GET', url: `/v1/otp/verifications/${verificationId}` });
  expect([status.statusCode, json(status).status]).toEqual([200, 'pending']);
  const wrong = await verifyCode(t, { verificationId, code: code === '000000' ? '111111' : '000000' });
  expect([wrong.statusCode, json(wrong).code]).toEqual([400, 'invalid_code']);
  const verified = await verifyCode(t, { verificationId, code });
  expect(verified.statusCode).toBe(200);

  const refreshed = await refreshSession(t, json(verified).refreshToken);
  expect(refreshed.statusCode).toBe(200);
  const { accessToken, refreshToken, sessionId } = json(refreshed);
  const listed = await t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(accessToken) });
  expect([listed.statusCode, json(listed).sessions?.map((session: { id: string }) => session.id)]).toEqual([200, [sessionId]]);
  expect((await t.inject({ method: 'POST', url: '/v1/sessions/logout', headers: bearer(accessToken) })).statusCode).toBe(204);
  expect((await refreshSession(t, refreshToken)).statusCode).toBe(401);
}

/** The clients connected as each user, and every ACL denial the server logged. */
async function aclReport(admin: Redis): Promise<{ users: string[]; denials: string[] }> {
  const clients = String(await admin.client('LIST'));
  const users = [...new Set([...clients.matchAll(/ user=(\S+)/g)].map((match) => match[1]))].sort();
  const log = (await admin.call('ACL', 'LOG')) as unknown[][];
  const denials = log.map((entry) => {
    const fields = Object.fromEntries(entry.flatMap((value, i) => (i % 2 === 0 ? [[String(value), entry[i + 1]]] : [])));
    return `${String(fields.reason)} ${String(fields.object)} (${String(fields.username)})`;
  });
  return { users, denials };
}

it('grants the ACL user every command a Lua script calls (a script runs its calls as its caller)', () => {
  const scripts = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.script.ts'));
  const called = new Set(scripts.flatMap((path) => [...readFileSync(join('src', path), 'utf8').matchAll(/redis\.call\('([A-Z]+)'/g)].map((match) => match[1].toLowerCase())));
  const granted = new Set(serviceAclRules().split(' ').filter((rule) => rule.startsWith('+')).map((rule) => rule.slice(1)));
  expect(scripts.length).toBeGreaterThan(10);
  expect([...called].filter((command) => !granted.has(command)).sort()).toEqual([]);
});

it('README lists the ACL line these tests prove, for the default prefix', () => {
  expect(readFileSync('README.md', 'utf8')).toContain(`ACL SETUSER ${SERVICE_ACL_USER} on >CHANGE-ME ${serviceAclRules('phone-auth:')}\n`);
  expect(readFileSync('README.md', 'utf8')).toContain(SENTINEL_ACL_RULES);
});

describeWithRedis('a standalone Redis with TLS, mutual TLS and an ACL user', () => {
  let server: RedisServer;
  let admin: Redis;
  const apps: TestApp[] = [];
  const start = async (settings: AppSettings) => {
    const t = await startTestApp(sharedStoreSettings(settings));
    apps.push(t);
    return t;
  };

  beforeAll(async () => {
    server = await RedisServer.start(secured(`phone-auth-elsewhere on >${SERVICE_PASSWORD} ${serviceAclRules('elsewhere:')}`));
    admin = server.client();
  });
  afterEach(async () => Promise.all(apps.splice(0).map((t) => t.close())));
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it('runs the login flow over rediss:// as the ACL user, and the server denies it nothing', async () => {
    expect(server.url).toMatch(/^rediss:\/\//);
    await admin.call('ACL', 'LOG', 'RESET');
    const t = await start({ REDIS_URL: server.url, ...serviceTlsSettings() });
    await loginFlowPasses(t);
    const report = await aclReport(admin);
    expect(report.denials).toEqual([]);
    expect(report.users).toEqual(['default', SERVICE_ACL_USER]);
  });

  it('serves the operations routes as the ACL user too: outbox, cancel, introspection, revocation, fraud blocks', async () => {
    await admin.call('ACL', 'LOG', 'RESET');
    const t = await start({ REDIS_URL: server.url, SMS_PROVIDERS: 'outbox', API_KEYS, ...serviceTlsSettings() });
    const client = { 'x-api-key': API_KEY };
    const phone = nextPhone();
    const sent = await postJson(t, '/v1/otp/send', { phone });
    expect(sent.statusCode).toBe(202);
    const outbox = await t.inject({ method: 'GET', url: `/v1/dev/outbox?phone=${encodeURIComponent(phone)}` });
    expect([outbox.statusCode, JSON.stringify(json(outbox)).includes(t.codes.last)]).toEqual([200, true]);
    const canceled = await t.inject({ method: 'DELETE', url: `/v1/otp/verifications/${json(sent).verificationId}` });
    expect(canceled.statusCode).toBeLessThan(300);

    const session = await login(t, nextPhone(), client);
    const introspected = await postJson(t, '/v1/tokens/introspect', { token: session.accessToken }, client);
    expect(json(introspected)).toMatchObject({ active: true, client_id: 'ops' });
    const revoked = await t.inject({ method: 'DELETE', url: `/v1/users/${session.user.id}/sessions`, headers: client });
    expect(revoked.statusCode).toBeLessThan(300);
    expect((await refreshSession(t, session.refreshToken)).statusCode).toBe(401);
    expect((await t.inject({ method: 'GET', url: '/v1/admin/fraud/blocks', headers: client })).statusCode).toBe(200);
    expect((await aclReport(admin)).denials).toEqual([]);
  });

  it('dispatches events as the ACL user: group, reads, claims, retries, trims, dead-letter routes, queue depth', async () => {
    await admin.call('ACL', 'LOG', 'RESET');
    const receiver = await WebhookReceiver.start();
    try {
      receiver.setMode('fail');
      const t = await start({
        REDIS_URL: server.url,
        API_KEYS,
        EVENT_WEBHOOKS: JSON.stringify([receiver.subscriber()]),
        EVENT_POLL_INTERVAL_MS: '50',
        EVENT_RETRY_BASE_MS: '50',
        ...serviceTlsSettings(),
      });
      const log = t.app.get(EventLog);
      const draft = log.draft({ userId: 'usr_acl' });
      await log.append('user.created', draft);
      while (receiver.failedOnPurpose < 2) await new Promise((resolve) => setTimeout(resolve, 50));
      receiver.setMode('ok');
      await receiver.waitFor([draft.id]);
      const headers = { 'x-api-key': API_KEY };
      expect((await t.inject({ method: 'GET', url: '/v1/admin/events/dead-letter', headers })).statusCode).toBe(200);
      expect((await t.inject({ method: 'POST', url: '/v1/admin/events/dead-letter/s0.10_1-0/replay', headers })).statusCode).toBe(404);
      expect((await t.inject({ method: 'GET', url: '/metrics' })).body).toContain('phone_auth_event_queue_depth{shard=');
      expect((await aclReport(admin)).denials).toEqual([]);
    } finally {
      await receiver.stop();
    }
  });

  it('refuses a server whose certificate does not carry REDIS_TLS_SERVERNAME: verification stays on', async () => {
    const t = await start({ REDIS_URL: server.url, ...serviceTlsSettings({ REDIS_TLS_SERVERNAME: 'not-on-the-certificate.example' }) });
    const ready = await untilReadinessSaysWhy(t);
    expect(ready.statusCode).toBe(503);
    expect(json(ready).error.store.cause).toMatch(/not-on-the-certificate\.example|altnames/);
    const named = await start({ REDIS_URL: server.url, ...serviceTlsSettings({ REDIS_TLS_SERVERNAME: 'localhost' }) });
    expect((await named.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  });

  it('runs with REDIS_TLS=true and the password itself as well', async () => {
    const t = await start({
      REDIS_URL: `redis://127.0.0.1:${server.port}`,
      REDIS_TLS: 'true',
      ...serviceTlsSettings({ REDIS_PASSWORD_FILE: '', REDIS_PASSWORD: SERVICE_PASSWORD }),
    });
    await loginFlowPasses(t);
  });

  it('fails closed with 503 store_unavailable as an ACL user whose key pattern is not the prefix', async () => {
    await admin.call('ACL', 'LOG', 'RESET');
    const t = await start({ REDIS_URL: server.url, ...serviceTlsSettings({ REDIS_USERNAME: 'phone-auth-elsewhere' }) });
    const sent = await postJson(t, '/v1/otp/send', { phone: nextPhone() });
    expect([sent.statusCode, json(sent).code]).toEqual([503, 'store_unavailable']);
    expect((await aclReport(admin)).denials).toContainEqual(expect.stringMatching(/^key phone-auth:.* \(phone-auth-elsewhere\)$/));
  });

  it('does not get ready when the CA does not trust the server, and readiness says why', async () => {
    const t = await start({ REDIS_URL: server.url, ...serviceTlsSettings({ REDIS_TLS_CA_FILE: tls.otherCaFile }) });
    const ready = await untilReadinessSaysWhy(t);
    expect(ready.statusCode).toBe(503);
    expect(json(ready).error.store).toMatchObject({ status: 'down', kind: 'redis', cause: expect.stringMatching(/certificate/i) });
    const sent = await postJson(t, '/v1/otp/send', { phone: nextPhone() });
    expect([sent.statusCode, json(sent).code]).toEqual([503, 'store_unavailable']);
  });

  it('is refused without the client certificate the server requires', async () => {
    const t = await start({ REDIS_URL: server.url, ...serviceTlsSettings({ REDIS_TLS_CERT_FILE: '', REDIS_TLS_KEY_FILE: '' }) });
    const sent = await postJson(t, '/v1/otp/send', { phone: nextPhone() });
    expect([sent.statusCode, json(sent).code]).toEqual([503, 'store_unavailable']);
    expect((await t.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
  });
});

describeWithRedisCluster('a 3-master Redis Cluster with TLS (cluster bus too), mutual TLS and an ACL user on every node', () => {
  let cluster: RedisCluster;
  let t: TestApp;

  beforeAll(async () => {
    cluster = await RedisCluster.start(secured());
    await Promise.all(cluster.ports.map((port) => withNode(cluster, port, (node) => node.call('ACL', 'LOG', 'RESET'))));
    t = await startTestApp(sharedStoreSettings({ REDIS_CLUSTER_NODES: cluster.nodes, REDIS_TLS: 'true', ...serviceTlsSettings() }));
  });
  afterAll(async () => {
    await t?.close();
    await cluster?.stop();
  });

  it('runs the login flow as the ACL user, and no node denies it anything', async () => {
    for (let i = 0; i < 3; i++) await loginFlowPasses(t);
    const reports = await Promise.all(cluster.ports.map((port) => withNode(cluster, port, aclReport)));
    expect(reports.flatMap((report) => report.denials)).toEqual([]);
    expect(reports.map((report) => report.users.includes(SERVICE_ACL_USER))).toEqual([true, true, true]);
  });
});

describeWithRedis('Redis Sentinel with TLS and ACL users on both the master and the sentinel', () => {
  let sentinel: RedisSentinel;
  let t: TestApp;
  let sentinelPasswordFile: string;

  beforeAll(async () => {
    sentinel = await RedisSentinel.start('auth-master', secured(), {
      mutualTls: true,
      adminPassword: SENTINEL_ADMIN_PASSWORD,
      users: [`${SENTINEL_USER} on >${SENTINEL_PASSWORD} ${SENTINEL_ACL_RULES}`],
    });
    sentinelPasswordFile = join(tls.dir, 'sentinel-password');
    writeFileSync(sentinelPasswordFile, SENTINEL_PASSWORD);
    t = await startTestApp(
      sharedStoreSettings({
        REDIS_SENTINELS: sentinel.sentinels,
        REDIS_SENTINEL_NAME: 'auth-master',
        REDIS_TLS: 'true',
        REDIS_SENTINEL_USERNAME: SENTINEL_USER,
        REDIS_SENTINEL_PASSWORD_FILE: sentinelPasswordFile,
        ...serviceTlsSettings(),
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await sentinel?.stop();
  });

  it('finds the master through the sentinel and runs the login flow there as the ACL user; neither denies anything', async () => {
    const admin = sentinel.master.client();
    const sentinelAdmin = new Redis(sentinel.port, '127.0.0.1', {
      maxRetriesPerRequest: 1,
      ...adminOptions({ tls, adminPassword: SENTINEL_ADMIN_PASSWORD }),
    });
    try {
      await Promise.all([admin.call('ACL', 'LOG', 'RESET'), sentinelAdmin.call('ACL', 'LOG', 'RESET')]);
      await loginFlowPasses(t);
      const report = await aclReport(admin);
      expect(report.denials).toEqual([]);
      expect(report.users).toContain(SERVICE_ACL_USER);
      // The service asks a sentinel and hangs up, so only the log tells it was there.
      expect((await aclReport(sentinelAdmin)).denials).toEqual([]);
    } finally {
      admin.disconnect();
      sentinelAdmin.disconnect();
    }
  });

  it('does not get ready with a wrong sentinel password, and readiness says why', async () => {
    const wrong = join(tls.dir, 'wrong-sentinel-password');
    writeFileSync(wrong, 'not-the-password');
    const other = await startTestApp(
      sharedStoreSettings({
        REDIS_SENTINELS: sentinel.sentinels,
        REDIS_SENTINEL_NAME: 'auth-master',
        REDIS_TLS: 'true',
        REDIS_SENTINEL_USERNAME: SENTINEL_USER,
        REDIS_SENTINEL_PASSWORD_FILE: wrong,
        ...serviceTlsSettings(),
      }),
    );
    try {
      const ready = await untilReadinessSaysWhy(other);
      expect(ready.statusCode).toBe(503);
      expect(json(ready).error.store.cause).toMatch(/WRONGPASS|sentinel/i);
    } finally {
      await other.close();
    }
  });
});

/** /health/ready once it names the cause (it arrives with the first failed connection), or after 5 s. */
async function untilReadinessSaysWhy(t: TestApp) {
  const deadline = Date.now() + 5000;
  let ready = await t.inject({ method: 'GET', url: '/health/ready' });
  while (json(ready).error?.store?.cause === undefined && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    ready = await t.inject({ method: 'GET', url: '/health/ready' });
  }
  return ready;
}

async function withNode<T>(cluster: RedisCluster, port: number, use: (node: Redis) => Promise<T>): Promise<T> {
  const node = cluster.node(port);
  try {
    return await use(node);
  } finally {
    node.disconnect();
  }
}

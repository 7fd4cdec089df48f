import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentProblems } from '../../test/support/environment-problems.js';
import { TEST_HMAC_SECRET, testSigningKeyPem } from '../../test/support/test-app.js';
import { validateEnvironment } from '../config/environment.js';
import { redisConfig } from './redis.config.js';

const CERTIFICATE = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n';

describe('redisConfig', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const shared = { OTP_HMAC_SECRET: TEST_HMAC_SECRET, JWT_PRIVATE_KEY: testSigningKeyPem(), PUBLIC_URL: 'https://auth.example.com' };
  const problemsOf = (settings: Record<string, string>) =>
    environmentProblems({ REDIS_URL: 'rediss://redis.example.com:6380', ...shared, ...settings });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'phone-auth-redis-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the CA, the client certificate and key, and the passwords from their files', () => {
    const config = redisConfig(
      validateEnvironment({
        ...shared,
        REDIS_SENTINELS: 'sentinel-1:26379,sentinel-2:26379',
        REDIS_TLS: 'true',
        REDIS_TLS_CA_FILE: file('ca.pem', CERTIFICATE),
        REDIS_TLS_CERT_FILE: file('client.pem', CERTIFICATE),
        REDIS_TLS_KEY_FILE: file('client.key', PRIVATE_KEY),
        REDIS_TLS_SERVERNAME: 'redis.internal',
        REDIS_USERNAME: 'phone-auth',
        REDIS_PASSWORD_FILE: file('password', 'from-a-secret\n'),
        REDIS_SENTINEL_USERNAME: 'sentinel-user',
        REDIS_SENTINEL_PASSWORD_FILE: file('sentinel-password', 'sentinel-secret'),
      }),
    );
    const tls = { ca: CERTIFICATE, cert: CERTIFICATE, key: PRIVATE_KEY, servername: 'redis.internal' };
    expect(config).toMatchObject({
      tls,
      username: 'phone-auth',
      password: 'from-a-secret',
      sentinelTls: tls,
      sentinelUsername: 'sentinel-user',
      sentinelPassword: 'sentinel-secret',
    });
  });

  it('turns TLS on for a rediss:// URL, and leaves it off (no TLS options at all) otherwise', () => {
    expect(redisConfig(validateEnvironment({ ...shared, REDIS_URL: 'rediss://redis.example.com:6380' })).tls).toEqual({});
    expect(redisConfig(validateEnvironment({ ...shared, REDIS_URL: 'redis://127.0.0.1:6379' })).tls).toBeUndefined();
  });

  it('keeps TLS to the sentinels apart when REDIS_SENTINEL_TLS says so', () => {
    const config = redisConfig(
      validateEnvironment({ ...shared, REDIS_SENTINELS: 's:26379', REDIS_TLS: 'true', REDIS_SENTINEL_TLS: 'false' }),
    );
    expect([config.tls, config.sentinelTls]).toEqual([{}, undefined]);
  });

  it('maps the addresses a Cluster announces to reachable ones', () => {
    const config = redisConfig(
      validateEnvironment({ ...shared, REDIS_CLUSTER_NODES: 'redis.example.com:6379', REDIS_CLUSTER_NAT_MAP: '10.0.0.1:6379=redis-a.example.com:16379' }),
    );
    expect(config.clusterNatMap).toEqual({ '10.0.0.1:6379': { host: 'redis-a.example.com', port: 16379 } });
  });

  it('names a missing, unreadable or non-PEM CA file at boot', () => {
    expect(problemsOf({ REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' })).toEqual([
      'REDIS_TLS_CA_FILE names a file that cannot be read: /nonexistent/ca.pem (ENOENT)',
    ]);
    expect(problemsOf({ REDIS_TLS_CA_FILE: dir })).toEqual([`REDIS_TLS_CA_FILE names a file that cannot be read: ${dir} (EISDIR)`]);
    expect(problemsOf({ REDIS_TLS_CA_FILE: file('not-a-ca.pem', 'hello') })).toEqual([
      `REDIS_TLS_CA_FILE holds no PEM certificate: ${join(dir, 'not-a-ca.pem')}`,
    ]);
  });

  it('lists every TLS and credential problem in one refusal, and never a password', () => {
    const problems = problemsOf({
      REDIS_URL: 'redis://:url-secret@127.0.0.1:6379',
      REDIS_TLS_CERT_FILE: file('only-cert.pem', CERTIFICATE),
      REDIS_PASSWORD: 'plain-secret',
      REDIS_PASSWORD_FILE: file('empty', '\n'),
      REDIS_SENTINEL_USERNAME: 'sentinel-user',
      REDIS_CLUSTER_NAT_MAP: '10.0.0.1:6379=a:1',
      REDIS_TLS: 'maybe',
    });
    expect(problems).toEqual([
      'REDIS_TLS must be true or false',
      `REDIS_PASSWORD_FILE names an empty file: ${join(dir, 'empty')}`,
      'mutual TLS needs both REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE',
      'set REDIS_PASSWORD or REDIS_PASSWORD_FILE, not both',
      'REDIS_SENTINEL_USERNAME needs REDIS_SENTINEL_PASSWORD or REDIS_SENTINEL_PASSWORD_FILE',
      'REDIS_SENTINEL_USERNAME set without REDIS_SENTINELS',
      'REDIS_CLUSTER_NAT_MAP is set without REDIS_CLUSTER_NODES',
      'REDIS_URL carries credentials: set them there or in REDIS_USERNAME and REDIS_PASSWORD, not both',
    ]);
    expect(problems.join('\n')).not.toMatch(/url-secret|plain-secret/);
  });

  it('refuses TLS files while TLS is off, and TLS off with a rediss:// URL', () => {
    expect(problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_TLS_CA_FILE: file('ca-off.pem', CERTIFICATE) })).toEqual([
      'REDIS_TLS_CA_FILE set but TLS is off: set REDIS_TLS=true or use a rediss:// REDIS_URL',
    ]);
    expect(problemsOf({ REDIS_TLS: 'false' })).toEqual(['REDIS_TLS=false contradicts the rediss:// REDIS_URL']);
  });

  it('wants a store for the credentials it is given', () => {
    expect(environmentProblems({ REDIS_PASSWORD: 'x' })).toEqual([
      'REDIS_PASSWORD set without a Redis store (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS)',
    ]);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisOptions } from 'ioredis';

/** Certificates made at test time with openssl: a CA, a server and a client certificate it signed, and a second, unrelated CA. */
export interface TlsFiles {
  readonly dir: string;
  readonly caFile: string;
  /** Server certificate for 127.0.0.1 and localhost, and its key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** Client certificate (mutual TLS), and its key. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A CA that signed nothing here: a client trusting only it refuses the servers. */
  readonly otherCaFile: string;
}

/** Makes the certificates in a fresh tmp dir (EC P-256, a day of validity); removeCertificates() deletes it. */
export function makeCertificates(): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'phone-auth-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', at(name));
  const ca = (name: string, subject: string) => {
    key(`${name}.key`);
    openssl('req', '-x509', '-new', '-key', at(`${name}.key`), '-days', '1', '-subj', subject, '-out', at(`${name}.crt`));
  };
  const signed = (name: string, subject: string, extensions: string) => {
    key(`${name}.key`);
    openssl('req', '-new', '-key', at(`${name}.key`), '-subj', subject, '-out', at(`${name}.csr`));
    writeFileSync(at(`${name}.ext`), extensions);
    openssl(
      'x509', '-req', '-in', at(`${name}.csr`), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial',
      '-days', '1', '-extfile', at(`${name}.ext`), '-out', at(`${name}.crt`),
    );
  };
  ca('ca', '/CN=phone-auth test CA');
  ca('other-ca', '/CN=an unrelated CA');
  signed('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  signed('client', '/CN=phone-auth', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caFile: at('ca.crt'),
    certFile: at('server.crt'),
    keyFile: at('server.key'),
    clientCertFile: at('client.crt'),
    clientKeyFile: at('client.key'),
    otherCaFile: at('other-ca.crt'),
  };
}

export function removeCertificates(files: TlsFiles | undefined): void {
  if (files) rmSync(files.dir, { recursive: true, force: true });
}

/**
 * How a throwaway redis-server (standalone, Cluster node, Sentinel-managed master) is secured;
 * `{}` is the plain server the suites use by default.
 */
export interface RedisSecurity {
  /** TLS only (`--port 0`, `--tls-port`), with the server certificate of these files; cluster bus and replication too. */
  readonly tls?: TlsFiles;
  /** Clients must present a certificate signed by the CA (`--tls-auth-clients yes`). */
  readonly mutualTls?: boolean;
  /** `requirepass`: the password of the default user, which the harness itself uses. */
  readonly adminPassword?: string;
  /** ACL users, each as the rules after `user` in redis.conf (`name on >password ~keys +commands`). */
  readonly users?: readonly string[];
}

/** The service's ACL user: only the commands and keys phone-auth uses (README, "Redis with TLS and ACL users"). */
export const SERVICE_ACL_USER = 'phone-auth';

/**
 * The rules of that user for a key prefix, as README lists them: scripts (EVALSHA, EVAL on
 * NOSCRIPT) and the commands their Lua calls, the adapters' own commands, PING (health), INFO
 * (ioredis's ready check), CLIENT SETNAME (a Cluster names its connections), CLUSTER SLOTS/INFO
 * (Cluster topology), and no pub/sub channels.
 */
export function serviceAclRules(keyPrefix = 'phone-auth:'): string {
  return [
    `~${keyPrefix}*`,
    'resetchannels',
    '-@all',
    '+ping +info +hello +auth +quit +client|setname +cluster|slots +cluster|info',
    '+evalsha +eval +multi +exec',
    '+get +set +del +exists +expire +pexpire +incr',
    '+hget +hset +hsetnx +hdel +hmget +hgetall +hincrby',
    '+lpush +ltrim +lrange +sadd +srem +smembers',
    '+zadd +zrem +zcard +zrange +zrangebyscore +zremrangebyscore',
    '+xadd +xgroup|create +xreadgroup +xautoclaim +xack +xpending +xtrim +xrange +xrevrange +xdel',
  ].join(' ');
}

/** The redis.conf arguments of a node listening on `port` (TLS-only when `security.tls`). */
export function securityArgs(port: number, security: RedisSecurity): string[] {
  const { tls } = security;
  const listen = tls
    ? [
        '--port', '0', '--tls-port', String(port),
        '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile,
        '--tls-auth-clients', security.mutualTls ? 'yes' : 'no', '--tls-replication', 'yes',
      ]
    : ['--port', String(port)];
  const auth = security.adminPassword === undefined ? [] : ['--requirepass', security.adminPassword, '--masterauth', security.adminPassword];
  return [...listen, ...auth, ...(security.users ?? []).flatMap((user) => ['--user', ...user.split(' ')])];
}

/** What the harness's own clients (probes, assertions) use: the default user, and the client certificate. */
export function adminOptions(security: RedisSecurity): RedisOptions {
  const { tls } = security;
  return {
    ...(security.adminPassword !== undefined && { password: security.adminPassword }),
    ...(tls && { tls: tlsClientOptions(tls) }),
  };
}

/** TLS options trusting the test CA and presenting the client certificate, as node:tls takes them. */
export function tlsClientOptions(tls: TlsFiles): { ca: string; cert: string; key: string } {
  return { ca: readFileSync(tls.caFile, 'utf8'), cert: readFileSync(tls.clientCertFile, 'utf8'), key: readFileSync(tls.clientKeyFile, 'utf8') };
}

/** redis-cli's arguments for the same (`--tls --cacert ... -a ...`). */
export function cliArgs(security: RedisSecurity): string[] {
  const { tls } = security;
  return [
    ...(tls ? ['--tls', '--cacert', tls.caFile, '--cert', tls.clientCertFile, '--key', tls.clientKeyFile] : []),
    ...(security.adminPassword !== undefined ? ['-a', security.adminPassword, '--no-auth-warning'] : []),
  ];
}

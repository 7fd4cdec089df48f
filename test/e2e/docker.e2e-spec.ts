import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentNames } from '../../src/config/environment.js';

/** Variables the image's entrypoint reads itself (docker/entrypoint.sh), not the service. */
const ENTRYPOINT_VARIABLES = ['OTP_HMAC_SECRET_FILE'];
const runsAsRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;

/** Docker's .dockerignore matching, enough for these patterns: `*` within a segment, `**` across, `!` re-includes. */
function dockerIgnored(patterns: string[], path: string): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/\/$/, '');
    const source = pattern
      .split('/')
      .map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*')))
      .join('/')
      .replaceAll('.*/', '(?:.*/)?');
    if (new RegExp(`^${source}(?:/.*)?$`).test(path)) ignored = !negated;
  }
  return ignored;
}

// No Docker engine runs here: check what can be checked without one.
describe('docker/', () => {
  const dockerfile = readFileSync('docker/Dockerfile', 'utf8');
  const compose = readFileSync('docker/compose.yml', 'utf8');
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

  it('builds with the package scripts and runs what `npm start` runs, with a health check', () => {
    expect(dockerfile).toContain('RUN npm ci');
    expect(dockerfile).toContain('RUN npm run build');
    expect(scripts.build).toBeDefined();
    const startCommand = scripts.start.split(' ');
    const cmd = /^CMD \[(.*)\]$/m.exec(dockerfile)?.[1].split(',').map((part) => part.trim().replaceAll('"', ''));
    expect(cmd).toEqual(startCommand);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/health\/ready/m);
  });

  it('bases both stages on a supported Node LTS line that package.json allows', () => {
    const froms = [...dockerfile.matchAll(/^FROM node:(\d+)-bookworm-slim\b/gm)].map((match) => Number(match[1]));
    expect(froms).toHaveLength(2);
    const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
    for (const major of froms) {
      expect([22, 24]).toContain(major);
      expect(engines).toMatch(new RegExp(`\\^${major}\\.`));
    }
  });

  it('starts as root only for the entrypoint, which runs the command as node through setpriv', () => {
    expect(dockerfile).not.toMatch(/^USER /m);
    expect(dockerfile).toMatch(/^COPY --chmod=0755 docker\/entrypoint\.sh \/usr\/local\/bin\/phone-auth-entrypoint$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["phone-auth-entrypoint"\]$/m);
    expect(statSync('docker/entrypoint.sh').mode & 0o111).not.toBe(0);
    const entrypoint = readFileSync('docker/entrypoint.sh', 'utf8');
    expect(entrypoint).toContain('run_as=${PHONE_AUTH_USER:-node}');
    expect(entrypoint).toMatch(/exec setpriv --reuid="\$run_as" .* -- "\$@"/);
    // compose must not replace the entrypoint, or the secrets stay unreadable.
    expect(compose).not.toMatch(/^\s+entrypoint:/m);
  });

  (runsAsRoot && hasSetpriv ? it : it.skip)('makes 0600 root secrets readable to the service user and drops privileges', () => {
    const secrets = mkdtempSync(join(tmpdir(), 'secrets-'));
    const runDir = mkdtempSync(join(tmpdir(), 'run-'));
    chmodSync(runDir, 0o755);
    writeFileSync(join(secrets, 'jwt_private_key'), '-----BEGIN PRIVATE KEY-----\n', { mode: 0o600 });
    writeFileSync(join(secrets, 'otp_hmac_secret'), 'an-hmac-secret-of-at-least-32-characters\n', { mode: 0o600 });
    mkdirSync(join(secrets, 'nested'));
    writeFileSync(join(secrets, 'nested', 'ca.pem'), 'ca\n', { mode: 0o600 });
    const copies = join(runDir, 'secrets');
    const output = execFileSync(
      'sh',
      [
        'docker/entrypoint.sh',
        'sh',
        '-c',
        'id -u; echo "$JWT_PRIVATE_KEY_FILE"; cat "$JWT_PRIVATE_KEY_FILE" "$REDIS_TLS_CA_FILE"; echo "[$OTP_HMAC_SECRET] [${OTP_HMAC_SECRET_FILE-unset}] [${UNRELATED_FILE}]"; cat ' +
          join(secrets, 'otp_hmac_secret') +
          ' 2>/dev/null || echo "original unreadable"; grep NoNewPrivs /proc/self/status',
      ],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          PHONE_AUTH_SECRETS_SOURCE: secrets,
          PHONE_AUTH_SECRETS_DIR: copies,
          PHONE_AUTH_USER: 'nobody',
          JWT_PRIVATE_KEY_FILE: join(secrets, 'jwt_private_key'),
          REDIS_TLS_CA_FILE: join(secrets, 'nested', 'ca.pem'),
          OTP_HMAC_SECRET_FILE: join(secrets, 'otp_hmac_secret'),
          UNRELATED_FILE: '/etc/hostname',
        },
      },
    );
    expect(output.split('\n')).toEqual([
      String(Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }))),
      join(copies, 'jwt_private_key'),
      '-----BEGIN PRIVATE KEY-----',
      'ca',
      '[an-hmac-secret-of-at-least-32-characters] [unset] [/etc/hostname]',
      'original unreadable',
      'NoNewPrivs:\t1',
      '',
    ]);
    expect(statSync(join(copies, 'jwt_private_key')).mode & 0o777).toBe(0o400);
  });

  it('runs the command unchanged when started as another user', () => {
    const output = execFileSync('sh', ['docker/entrypoint.sh', 'sh', '-c', 'echo "[$JWT_PRIVATE_KEY_FILE]"'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, PHONE_AUTH_SECRETS_SOURCE: '/nonexistent', JWT_PRIVATE_KEY_FILE: '/nonexistent/key' },
      ...(runsAsRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(output).toBe('[/nonexistent/key]\n');
  });

  it('keeps secrets, installs, builds and artefacts out of the build context, and what the image copies in it', () => {
    const patterns = readFileSync('.dockerignore', 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const kept = [
      '.git/HEAD',
      'node_modules/fastify/package.json',
      'dist/main.js',
      'coverage/lcov.info',
      'keys/jwt-abc.private.pem',
      '.env',
      '.env.production',
      'docker/secrets/jwt_private_key.pem',
      'bench/results/runs/2026-12-02T14-30-01Z/bench.json',
      'bench/results/profiles/send.cpuprofile',
      'examples/nextjs-login/node_modules/next/package.json',
      'examples/nextjs-login/.next/BUILD_ID',
      'examples/nextjs-login/test-artifacts/trace.zip',
      'packages/client/dist/index.js',
      'packages/client/src/generated/openapi.ts',
      'test-artifacts/demo.png',
      'tmp/scratch',
      'npm-debug.log',
    ];
    for (const path of kept) expect({ path, ignored: dockerIgnored(patterns, path) }).toEqual({ path, ignored: true });
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((match) => match[1].split(' '));
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'docker/entrypoint.sh']));
    for (const path of [...copied, 'src/main.ts', '.env.example', 'bench/results/latest.json']) {
      expect({ path, ignored: dockerIgnored(patterns, path) }).toEqual({ path, ignored: false });
    }
  });

  it('configures the service in compose.yml only with settings the service knows', () => {
    const block = compose.slice(compose.indexOf('environment:'), compose.indexOf('env_file:'));
    const names = [...block.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]);
    expect(names.length).toBeGreaterThan(2);
    for (const name of names) expect([...environmentNames(), ...ENTRYPOINT_VARIABLES]).toContain(name);
    expect(compose).toMatch(/--appendonly", "yes"/);
  });
});

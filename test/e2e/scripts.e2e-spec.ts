import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClientsService } from '../../src/clients/api-clients.service.js';
import { parseApiKeyEntry } from '../../src/clients/clients.config.js';
import { SigningKeys } from '../../src/sessions/signing-keys.js';

const run = (script: string, ...args: string[]) => execFileSync(process.execPath, [join('scripts', script), ...args], { encoding: 'utf8' });

describe('npm run apikey', () => {
  /** The key and the API_KEYS entry the script printed, parsed as the service parses its settings. */
  function made(...args: string[]) {
    const output = run('apikey.mjs', ...args);
    const key = /^\s+(pa_[A-Za-z0-9_-]{43})$/m.exec(output)?.[1];
    const entry = /^\s+(billing:[0-9a-f]{64}(:[a-z+]+)?)$/m.exec(output)?.[1];
    expect(key).toBeDefined();
    expect(entry).toBeDefined();
    return { key: key!, entry: entry!, clients: new ApiClientsService({ apiKeys: [parseApiKeyEntry(entry!)] }) };
  }

  it('prints a key and the API_KEYS entry that authenticates it, with every scope when none is named', () => {
    const { key, entry, clients } = made('billing');
    expect(entry).toMatch(/^billing:[0-9a-f]{64}$/);
    expect(clients.authenticate(key)).toEqual({ name: 'billing', scopes: ['login', 'introspect', 'admin'] });
    expect(() => clients.authenticate(`${key}x`)).toThrow('not valid');
  });

  it('prints an entry holding only the scopes named', () => {
    const { key, entry, clients } = made('billing', 'introspect+login');
    expect(entry).toMatch(/^billing:[0-9a-f]{64}:login\+introspect$/);
    expect(clients.authenticate(key)).toEqual({ name: 'billing', scopes: ['login', 'introspect'] });
  });

  it('refuses a scope it does not know', () => {
    expect(() => execFileSync(process.execPath, [join('scripts', 'apikey.mjs'), 'billing', 'root'], { stdio: 'pipe' })).toThrow(/usage/);
  });
});

describe('npm run keys:generate', () => {
  it.each(['ES256', 'RS256'] as const)('writes a %s key pair named by the kid the service then uses', (alg) => {
    const out = mkdtempSync(join(tmpdir(), 'keys-'));
    const output = run('generate-keys.mjs', '--alg', alg, '--out', out);
    const kid = new RegExp(`^${alg} key ([A-Za-z0-9_-]{43})$`, 'm').exec(output)?.[1];
    expect(readdirSync(out).sort()).toEqual([`jwt-${kid}.private.pem`, `jwt-${kid}.public.pem`]);
    const keys = SigningKeys.load({
      algorithm: alg,
      privateKeyFile: join(out, `jwt-${kid}.private.pem`),
      publicKeysFile: join(out, `jwt-${kid}.public.pem`),
    });
    expect(keys.kid).toBe(kid);
    expect(keys.jwks().keys.map((key) => key.kid)).toEqual([kid]);
  });
});

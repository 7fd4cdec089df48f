#!/usr/bin/env node
// npm run apikey -- NAME [SCOPES]: makes an API key for an internal service. The key is shown once;
// phone-auth keeps only its SHA-256, in API_KEYS. SCOPES: login, introspect, admin joined by "+"
// (login+introspect); without them the entry holds every scope, as keys did before scopes existed.
import { createHash, randomBytes } from 'node:crypto';

const SCOPES = ['login', 'introspect', 'admin'];
const [name, scopeList] = process.argv.slice(2);
const scopes = scopeList === undefined ? [] : scopeList.split(/[+,]/).filter((scope) => scope !== '');
if (!name || !/^[A-Za-z0-9_.-]{1,64}$/.test(name) || (scopeList !== undefined && scopes.length === 0) || scopes.some((scope) => !SCOPES.includes(scope))) {
  process.stderr.write(
    'usage: npm run apikey -- NAME [SCOPES]\n' +
      '  NAME    letters, digits, ".", "_", "-"; at most 64\n' +
      `  SCOPES  ${SCOPES.join(', ')}, joined by "+" (login+introspect); none: all of them\n`,
  );
  process.exit(2);
}
const ordered = SCOPES.filter((scope) => scopes.includes(scope));
const key = `pa_${randomBytes(32).toString('base64url')}`;
const sha256 = createHash('sha256').update(key).digest('hex');
const entry = ordered.length === 0 ? `${name}:${sha256}` : `${name}:${sha256}:${ordered.join('+')}`;
process.stdout.write(
  `API key for ${name} (give it to that service; it is not stored anywhere):\n  ${key}\n\n` +
    `Scopes: ${(ordered.length === 0 ? SCOPES : ordered).join(', ')}${ordered.length === 0 ? ' (all: no scope list given)' : ''}\n\n` +
    `Add this entry to API_KEYS (comma-separated with the others):\n  ${entry}\n`,
);

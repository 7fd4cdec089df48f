#!/usr/bin/env node
// npm run apikey -- NAME: makes an API key for an internal service. The key is shown once;
// phone-auth keeps only its SHA-256, in API_KEYS.
import { createHash, randomBytes } from 'node:crypto';

const name = process.argv[2];
if (!name || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
  process.stderr.write('usage: npm run apikey -- NAME   (letters, digits, ".", "_", "-"; at most 64)\n');
  process.exit(2);
}
const key = `pa_${randomBytes(32).toString('base64url')}`;
const sha256 = createHash('sha256').update(key).digest('hex');
process.stdout.write(
  `API key for ${name} (give it to that service; it is not stored anywhere):\n  ${key}\n\n` +
    `Add this entry to API_KEYS (comma-separated with the others):\n  ${name}:${sha256}\n`,
);

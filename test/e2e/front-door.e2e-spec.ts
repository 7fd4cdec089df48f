import { readFileSync } from 'node:fs';
import { environmentNames } from '../../src/config/environment.js';
import { ERROR_CODES } from '../../src/common/errors/domain.error.js';

// The front door stays true: every setting the service reads is in .env.example and the README,
// and every stable error code is documented.
describe('README and .env.example', () => {
  const readme = readFileSync('README.md', 'utf8');
  const inReadme = new Set([...readme.matchAll(/`([^`\n]+)`/g)].flatMap((match) => match[1].split(/\s*\/\s*|,\s*/)));
  const inEnvExample = [...readFileSync('.env.example', 'utf8').matchAll(/^([A-Z0-9_]+)=/gm)].map((match) => match[1]);

  it.each(environmentNames())('document %s', (name) => {
    expect(inEnvExample).toContain(name);
    expect(inReadme.has(name) ? name : `${name} missing from the README`).toBe(name);
  });

  it.each([...ERROR_CODES])('document the error code %s', (code) => {
    expect(inReadme.has(code) ? code : `${code} missing from the README`).toBe(code);
  });
});

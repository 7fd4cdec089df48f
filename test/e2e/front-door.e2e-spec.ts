import { readFileSync } from 'node:fs';
import { environmentNames } from '../../src/config/environment.js';
import { ERROR_CODES } from '../../src/common/errors/domain.error.js';

// The front door stays true: every setting the service reads is in .env.example and the README,
// and every stable error code is documented.
describe('README and .env.example', () => {
  const readme = readFileSync('README.md', 'utf8');
  const envExample = readFileSync('.env.example', 'utf8');

  it.each(environmentNames())('document %s', (name) => {
    expect(envExample).toMatch(new RegExp(`^${name}=`, 'm'));
    expect(readme).toContain(`\`${name}\``);
  });

  it.each([...ERROR_CODES])('document the error code %s', (code) => {
    expect(readme).toContain(`\`${code}\``);
  });
});

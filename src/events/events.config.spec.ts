import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, validateEnvironment } from '../config/environment.js';
import { eventsConfig } from './events.config.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const problemsOf = (raw: Record<string, string>): string[] => {
  try {
    validateEnvironment({ NODE_ENV: 'test', ...raw });
    return [];
  } catch (error) {
    return (error as EnvironmentError).problems;
  }
};

describe('eventsConfig', () => {
  it('reads subscribers from EVENT_WEBHOOKS, with their filters and phone opt-in', () => {
    const env = validateEnvironment({
      NODE_ENV: 'test',
      EVENT_WEBHOOKS: JSON.stringify([
        { url: 'https://hooks.example.com/auth', secret: SECRET, events: 'session.*,user.created', includePhone: true },
        { name: 'audit', url: 'http://127.0.0.1:9000/', secret: SECRET },
      ]),
    });
    const [first, second] = eventsConfig(env).subscribers;
    expect(first).toMatchObject({ id: 'hooks.example.com/auth', includePhone: true });
    expect(first.filter.matches('session.revoked')).toBe(true);
    expect(first.filter.matches('verification.sent')).toBe(false);
    expect(second).toMatchObject({ id: 'audit', includePhone: false });
    expect(second.filter.matches('verification.sent')).toBe(true);
  });

  it('lists every problem of every subscriber at once', () => {
    const problems = problemsOf({
      EVENT_WEBHOOKS: JSON.stringify([
        { url: 'ftp://x', secret: 'whsec_c2hvcnQ=', events: 'user.*,sesion.*' },
        { url: 'https://ok.example', secret: 'not-a-secret', includePhone: 'yes' },
      ]),
      EVENT_RETRY_HOURS: '0',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'EVENT_RETRY_HOURS must be an integer from 1 to 720',
        'EVENT_WEBHOOKS[0]: url must be an http or https URL',
        expect.stringMatching(/^EVENT_WEBHOOKS\[0\]: secret must be whsec_/),
        expect.stringMatching(/^EVENT_WEBHOOKS\[0\]: events: "sesion\.\*" names no event type/),
        expect.stringMatching(/^EVENT_WEBHOOKS\[1\]: secret must be whsec_/),
        'EVENT_WEBHOOKS[1]: includePhone must be true or false',
      ]),
    );
  });

  it('refuses a value that is not a JSON array', () => {
    expect(problemsOf({ EVENT_WEBHOOKS: 'https://hooks.example.com' })).toEqual([expect.stringMatching(/^EVENT_WEBHOOKS must be a JSON array/)]);
  });

  it('reads EVENT_WEBHOOKS_FILE, and names a file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'webhooks-'));
    try {
      const file = join(dir, 'webhooks.json');
      writeFileSync(file, JSON.stringify([{ url: 'https://hooks.example.com/a', secret: SECRET, events: '*' }]));
      expect(eventsConfig(validateEnvironment({ NODE_ENV: 'test', EVENT_WEBHOOKS_FILE: file })).subscribers).toHaveLength(1);
      expect(problemsOf({ EVENT_WEBHOOKS_FILE: join(dir, 'missing.json') })).toEqual([expect.stringContaining('EVENT_WEBHOOKS_FILE names a file that cannot be read')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('wants the claim of a stuck delivery to come well after its timeout', () => {
    expect(problemsOf({ EVENT_DELIVERY_TIMEOUT_MS: '10000', EVENT_CLAIM_IDLE_MS: '15000' })).toEqual([
      'EVENT_CLAIM_IDLE_MS must be at least twice EVENT_DELIVERY_TIMEOUT_MS plus a second',
    ]);
  });

  it('idles without subscribers', () => {
    expect(eventsConfig(validateEnvironment({ NODE_ENV: 'test' })).subscribers).toEqual([]);
  });
});

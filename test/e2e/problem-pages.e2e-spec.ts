import { DomainError, ERROR_CODES } from '../../src/common/errors/domain.error.js';
import { problemKindOf, toProblem } from '../../src/common/errors/problem-details.js';
import { PROBLEM_GUIDES } from '../../src/common/errors/problem-guide.js';
import { PROBLEM_PAGE_CONTENT_SECURITY_POLICY } from '../../src/openapi/problem-pages.js';
import { json, sendCode, startTestApp, TestApp } from '../support/e2e-kit.js';

const PUBLIC_URL = 'https://auth.example.com';

describe('problem type pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_URL });
  });
  afterAll(async () => t?.close());

  /** The path of a type URL, which this service serves under its PUBLIC_URL. */
  const pathOf = (type: string) => {
    expect(type.startsWith(`${PUBLIC_URL}/`)).toBe(true);
    return type.slice(PUBLIC_URL.length);
  };

  it.each(ERROR_CODES)('answers 200 with a page on %s at its type URL', async (code) => {
    const { type } = toProblem(new DomainError(code, 'x'), PUBLIC_URL);
    const page = await t.inject({ method: 'GET', url: pathOf(type) });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(PROBLEM_PAGE_CONTENT_SECURITY_POLICY);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const { status, title } = problemKindOf(code);
    expect(page.body).toContain(`<h1>${title}</h1>`);
    expect(page.body).toContain(`<code>${code}</code> · HTTP ${status}`);
    expect(page.body).toContain('<h2>What it means</h2>');
    expect(page.body).toContain('<h2>What to do</h2>');
    // The example carries this service's own type URL.
    expect(page.body).toContain(`&quot;type&quot;: &quot;${type}&quot;`);
    expect(PROBLEM_GUIDES[code].meaning.length).toBeGreaterThan(10);
  });

  it('resolves the type of a real answer', async () => {
    const refused = await sendCode(t, 'not a phone');
    const { type, code } = json(refused);
    expect(code).toBe('invalid_phone');
    expect((await t.inject({ method: 'GET', url: pathOf(type) })).statusCode).toBe(200);
  });

  it('lists every type on /problems, each linked', async () => {
    const index = await t.inject({ method: 'GET', url: '/problems' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-security-policy']).toBe(PROBLEM_PAGE_CONTENT_SECURITY_POLICY);
    for (const code of ERROR_CODES) expect(index.body).toContain(`href="/problems/${code.replaceAll('_', '-')}"`);
  });

  it('answers 404 problem+json for a type that is not one, without echoing it', async () => {
    for (const url of ['/problems/no-such-code', '/problems/invalid_phone', `/problems/${'<script>'.repeat(10)}`]) {
      const missing = await t.inject({ method: 'GET', url });
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['content-type']).toContain('application/problem+json');
      expect(json(missing)).toMatchObject({ code: 'not_found', status: 404 });
      expect(missing.body).not.toContain('script');
      expect(missing.headers['content-security-policy']).toBeUndefined();
    }
  });
});

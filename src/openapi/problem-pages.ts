import { ERROR_CODES, type ErrorCode } from '../common/errors/domain.error.js';
import { problemKindOf, problemSlugOf, PROBLEMS_PATH } from '../common/errors/problem-details.js';
import { PROBLEM_GUIDES } from '../common/errors/problem-guide.js';
import { exampleProblem } from './problem-details.schema.js';

/** No script, no style, no request of any kind: plain HTML. */
export const PROBLEM_PAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

/** The guides' `backticks` as <code>, the rest escaped. */
const prose = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)} · phone-auth</title></head>`,
    `<body><main>${body}</main></body>`,
    '</html>',
    '',
  ].join('\n');
}

/** The page a code's `type` URL answers: its title, status, meaning, what to do, and an example. */
export function problemPage(code: ErrorCode, publicUrl: string): string {
  const { status, title } = problemKindOf(code);
  const { meaning, action } = PROBLEM_GUIDES[code];
  return page(
    title,
    [
      `<h1>${escapeHtml(title)}</h1>`,
      `<p>Code <code>${code}</code> · HTTP ${status}</p>`,
      `<h2>What it means</h2>\n<p>${prose(meaning)}</p>`,
      `<h2>What to do</h2>\n<p>${prose(action)}</p>`,
      `<h2>Example answer</h2>\n<pre>${escapeHtml(JSON.stringify(exampleProblem(code, publicUrl), null, 2))}</pre>`,
      `<p>Every error of the API is <code>application/problem+json</code> (RFC 9457). <a href="${PROBLEMS_PATH}">All problem types</a></p>`,
    ].join('\n'),
  );
}

/** Every code, linked to its page. */
export function problemIndexPage(): string {
  const rows = ERROR_CODES.map((code) => {
    const { status, title } = problemKindOf(code);
    return `<li><a href="${PROBLEMS_PATH}/${problemSlugOf(code)}"><code>${code}</code></a> · ${status} · ${escapeHtml(title)}</li>`;
  });
  return page('Problem types', `<h1>Problem types</h1>\n<ul>\n${rows.join('\n')}\n</ul>`);
}

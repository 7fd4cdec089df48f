/**
 * The README's example JSON bodies, each with the operation it belongs to, for checking them against
 * the OpenAPI document's generated client types. Two forms are found:
 *
 * - A fenced block under a marker `<!-- openapi-example: POST /v1/otp/send, POST /v1/otp/verify 200 -->`:
 *   each item names an operation, and a status when the body is that answer's (else it is the
 *   request's). The block's bodies are, in order: every `-d '…'` of a `sh` block (curl), the body
 *   after the blank line of an `http` block, or the whole of a `json` block; one per item.
 * - An inline span naming its operation: `` `POST /v1/otp/verify {"phone":"+919876543210","code":"482913"}` ``.
 */
export interface ReadmeExample {
  /** 1-based line of README.md where the body is. */
  line: number;
  method: string;
  path: string;
  /** The answer's status, or undefined for a request body. */
  status?: number;
  body: unknown;
}

const MARKER = /^<!-- openapi-example: (.+?) -->$/;
const ITEM = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)(?: (\d{3}))?$/;
const INLINE = /`(GET|POST|PUT|PATCH|DELETE) (\/[^\s`]*) (\{[^`]*\})`/g;
const CURL_DATA = /(?:-d|--data(?:-raw)?) '([^']*)'/g;

function parseJson(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`README.md line ${line}: an example body is not JSON (${(error as Error).message}): ${text}`);
  }
}

/** The bodies of a fenced block, each with the README line it starts on. */
function blockBodies(language: string, lines: string[], firstLine: number): { line: number; text: string }[] {
  if (language === 'json') return [{ line: firstLine, text: lines.join('\n') }];
  if (language === 'http') {
    const blank = lines.findIndex((l) => l.trim() === '');
    if (blank < 0) return [];
    return [{ line: firstLine + blank + 1, text: lines.slice(blank + 1).join('\n') }];
  }
  if (language === 'sh') {
    return lines.flatMap((l, index) => [...l.matchAll(CURL_DATA)].map((match) => ({ line: firstLine + index, text: match[1] })));
  }
  throw new Error(`README.md line ${firstLine - 1}: an openapi-example marker is above a \`${language}\` block; only sh (curl -d), http and json blocks are read`);
}

export function readmeExamples(readme: string): ReadmeExample[] {
  const lines = readme.split('\n');
  const examples: ReadmeExample[] = [];
  lines.forEach((text, index) => {
    for (const match of text.matchAll(INLINE)) {
      examples.push({ line: index + 1, method: match[1], path: match[2], body: parseJson(match[3], index + 1) });
    }
  });
  lines.forEach((text, index) => {
    const marker = MARKER.exec(text.trim());
    if (marker === null) return;
    const where = `README.md line ${index + 1}`;
    const items = marker[1].split(',').map((item) => {
      const parsed = ITEM.exec(item.trim());
      if (parsed === null) throw new Error(`${where}: "${item.trim()}" is not "METHOD /path" or "METHOD /path STATUS"`);
      return { method: parsed[1], path: parsed[2], status: parsed[3] === undefined ? undefined : Number(parsed[3]) };
    });
    const fence = /^```(\w+)$/.exec(lines[index + 1] ?? '');
    const end = lines.indexOf('```', index + 2);
    if (fence === null || end < 0) throw new Error(`${where}: an openapi-example marker must be followed by a fenced block`);
    const bodies = blockBodies(fence[1], lines.slice(index + 2, end), index + 3);
    if (bodies.length !== items.length) {
      throw new Error(`${where}: the marker names ${items.length} bodies, the block below it has ${bodies.length}`);
    }
    items.forEach((item, i) => examples.push({ ...item, line: bodies[i].line, body: parseJson(bodies[i].text, bodies[i].line) }));
  });
  return examples.sort((a, b) => a.line - b.line);
}

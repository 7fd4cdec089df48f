import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EXPORTED_OPENAPI_FILE, exportedOpenApiDocument } from '../../src/openapi/openapi-export.js';
import { readmeExamples, type ReadmeExample } from '../support/readme-examples.js';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const COMMITTED = join(ROOT, EXPORTED_OPENAPI_FILE);
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
/** Each tool (Redocly, openapi-typescript, tsc) is a Node process of its own: a few seconds, far more on a busy machine. */
const TOOL_TIMEOUT_MS = 180_000;

type Schema = { properties?: Record<string, Schema>; required?: string[]; default?: unknown; items?: Schema; allOf?: Schema[]; oneOf?: Schema[]; anyOf?: Schema[] };

/** Where two texts first differ, as "line N: expected … / found …". */
function firstDifference(expected: string, actual: string): string {
  const [a, b] = [expected.split('\n'), actual.split('\n')];
  const index = a.findIndex((line, i) => line !== b[i]);
  const at = index < 0 ? a.length : index;
  return `line ${at + 1}: the service serves ${JSON.stringify(a[at] ?? '(end of file)')}, the file has ${JSON.stringify(b[at] ?? '(end of file)')}`;
}

/** Properties carrying a `default` that their object does not require, as `Schema.property`. */
function optionalWithDefault(name: string, schema: Schema): string[] {
  const own = Object.entries(schema.properties ?? {}).flatMap(([property, value]) => [
    ...(value.default !== undefined && !(schema.required ?? []).includes(property) ? [`${name}.${property}`] : []),
    ...optionalWithDefault(`${name}.${property}`, value),
  ]);
  const nested = [schema.items, ...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])].filter((s): s is Schema => s !== undefined);
  return own.concat(nested.flatMap((s) => optionalWithDefault(name, s)));
}

/** The README example as a TypeScript declaration typed by the generated client's `paths`. */
function declaration(example: ReadmeExample, index: number): string {
  const type =
    example.status === undefined
      ? `RequestBody<'${example.path}', '${example.method.toLowerCase()}'>`
      : `ResponseBody<'${example.path}', '${example.method.toLowerCase()}', ${example.status}>`;
  return `// README.md line ${example.line}\nexport const example${index}: ${type} = ${JSON.stringify(example.body)};\n`;
}

/** Reads JSON bodies out of the generated types; `unknown` or `any` (no typed body) become never, so they fail. */
const TYPE_HELPERS = `import type { paths } from './openapi.js';
type Known<T> = unknown extends T ? never : T;
type Json<C> = C extends { content: { 'application/json': infer B } } ? Known<B> : never;
type RequestBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: infer R } ? Json<NonNullable<R>> : never;
type ResponseBody<P extends keyof paths, M extends keyof paths[P], S extends number> =
  paths[P][M] extends { responses: infer R } ? (S extends keyof R ? Json<R[S]> : never) : never;
`;

describe('docs/openapi.json', () => {
  let served: string;
  let committed: string;

  beforeAll(async () => {
    served = await exportedOpenApiDocument();
    committed = await readFile(COMMITTED, 'utf8');
  }, 60_000);

  it('is what the service serves at /docs/openapi.json on its embedded defaults', () => {
    if (committed !== served) {
      throw new Error(`${EXPORTED_OPENAPI_FILE} is not what the service serves (${firstDifference(served, committed)}). Run \`npm run openapi:export\` and commit ${EXPORTED_OPENAPI_FILE}.`);
    }
  });

  it('passes Redocly lint with the recommended rules: no error, no warning', async () => {
    // Exit status 1 on errors: the JSON report on stdout is read either way.
    const result = await run(bin('redocly'), ['lint', EXPORTED_OPENAPI_FILE, '--format=json'], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(result.stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
    const problems = report.problems.map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`);
    expect({ ...report.totals, problems }).toEqual({ errors: 0, warnings: 0, ignored: expect.any(Number), problems: [] });
  }, TOOL_TIMEOUT_MS);

  it('leaves Redocly no exception but operation-4xx-response', async () => {
    const ignored = await readFile(join(ROOT, '.redocly.lint-ignore.yaml'), 'utf8');
    const rules = ignored.split('\n').filter((line) => /^ {2}\S/.test(line)).map((line) => line.trim().replace(/:$/, ''));
    expect(rules).toEqual(['operation-4xx-response']);
    expect(await readFile(join(ROOT, 'redocly.yaml'), 'utf8')).not.toMatch(/^\s*rules:/m);
  });

  it('gives no optional property a default, which generated clients would type as always present', () => {
    // openapi-typescript (defaultNonNullable, on by default) makes a property with a default
    // required in components: a client could not send `{ phone }` if `channel` had one.
    const schemas = (JSON.parse(served) as { components: { schemas: Record<string, Schema> } }).components.schemas;
    expect(Object.entries(schemas).flatMap(([name, schema]) => optionalWithDefault(name, schema))).toEqual([]);
  });

  describe("the README's examples", () => {
    let examples: ReadmeExample[];
    let dir: string;

    beforeAll(async () => {
      examples = readmeExamples(await readFile(join(ROOT, 'README.md'), 'utf8'));
      dir = await mkdtemp(join(tmpdir(), 'phone-auth-openapi-'));
    });
    afterAll(async () => rm(dir, { recursive: true, force: true }));

    it('are found: the marked blocks and the inline requests', () => {
      const found = examples.map((example) => `${example.method} ${example.path}${example.status === undefined ? '' : ` ${example.status}`}`);
      expect(found).toEqual(expect.arrayContaining(['POST /v1/otp/send', 'POST /v1/otp/verify', 'POST /v1/otp/verify 200', 'POST /v1/me/phone/send', 'POST /v1/me/phone/verify']));
      expect(examples.length).toBeGreaterThanOrEqual(8);
    });

    it('compile against the types openapi-typescript generates from the document with its default options', async () => {
      await run(bin('openapi-typescript'), [COMMITTED, '--output', join(dir, 'openapi.d.ts')], { cwd: ROOT });
      const source = TYPE_HELPERS + examples.map(declaration).join('');
      await writeFile(join(dir, 'examples.ts'), source);
      await writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', types: [], exactOptionalPropertyTypes: true }, files: ['examples.ts'] }),
      );
      const compiled = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, '--pretty', 'false'], { cwd: dir }).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      // Each error names the README line of the example it is in.
      const sourceLines = source.split('\n');
      const errors = compiled
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const at = /^examples\.ts\((\d+),\d+\)/.exec(line);
          const readmeLine = at === null ? undefined : sourceLines.slice(0, Number(at[1])).reverse().find((l) => l.startsWith('// README.md'));
          return `${readmeLine ?? '(helpers)'}: ${line}`;
        });
      expect(errors).toEqual([]);
    }, TOOL_TIMEOUT_MS);
  });
});

// ts-jest, plus rewrites of import.meta: ESM-only dependencies (NestJS 12) read `import.meta.url`, which has
// no meaning once Jest runs them as CommonJS; the CommonJS equivalent is the file's own URL.
const { TsJestTransformer } = require('ts-jest');

const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
const FILE_URL = "require('node:url').pathToFileURL(__filename).href";
// `const require = createRequire(import.meta.url)` would redeclare CommonJS's own require.
const OWN_REQUIRE = /\b(?:const|let|var)\s+require\s*=\s*createRequire\(\s*import\.meta\.url\s*\)\s*;?/g;
const IMPORT_META_RESOLVE = /\bimport\.meta\.resolve\(/g;
const rewrite = (source) =>
  source.includes('import.meta')
    ? source
        .replace(OWN_REQUIRE, '')
        .replace(IMPORT_META_RESOLVE, 'require.resolve(')
        .replace(/\bimport\.meta\.dirname\b/g, '__dirname')
        .replace(/\bimport\.meta\.filename\b/g, '__filename')
        .replace(IMPORT_META_URL, FILE_URL)
    : source;

class Transformer extends TsJestTransformer {
  process(source, path, options) {
    return super.process(rewrite(source), path, options);
  }

  getCacheKey(source, path, options) {
    return super.getCacheKey(rewrite(source), path, options);
  }
}

module.exports = { createTransformer: (config) => new Transformer(config) };

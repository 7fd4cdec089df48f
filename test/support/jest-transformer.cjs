// ts-jest, plus one rewrite: ESM-only dependencies (NestJS 12) read `import.meta.url`, which has
// no meaning once Jest runs them as CommonJS; the CommonJS equivalent is the file's own URL.
const { TsJestTransformer } = require('ts-jest');

const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
const FILE_URL = "require('node:url').pathToFileURL(__filename).href";
const rewrite = (source) => (source.includes('import.meta') ? source.replace(IMPORT_META_URL, FILE_URL) : source);

class Transformer extends TsJestTransformer {
  process(source, path, options) {
    return super.process(rewrite(source), path, options);
  }

  getCacheKey(source, path, options) {
    return super.getCacheKey(rewrite(source), path, options);
  }
}

module.exports = { createTransformer: (config) => new Transformer(config) };

// Jest runs in CommonJS mode: @swc/jest compiles our TypeScript and every ESM-only dependency
// (NestJS 12) to CommonJS, so one module registry holds one copy of each Nest class.
// See ../shared/reference/toolchain.md.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  testEnvironment: 'node',
  transformIgnorePatterns: [],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        module: { type: 'commonjs' },
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/support/global-setup.cjs',
  testTimeout: 30000,
};

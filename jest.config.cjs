// Jest runs in CommonJS mode: ts-jest (TypeScript's own transpiler, file by file) compiles our
// sources and every ESM-only dependency (NestJS 12) to CommonJS, so one module registry holds one
// copy of each Nest class. Jest 29 and ts-jest rather than Jest 30 and @swc/jest: those pull
// native packages for every platform, which this registry lacks in part, and `npm ci` then
// refuses the lock file.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/examples', '<rootDir>/packages'],
  // A workspace package's build output is not tested (its sources are).
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/packages/[^/]+/dist/'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  testEnvironment: 'node',
  transformIgnorePatterns: [],
  transform: {
    '^.+\\.(t|j|mj|cj)s$': ['<rootDir>/test/support/jest-transformer.cjs', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }],
  },
  moduleNameMapper: {
    // The workspace packages run from their TypeScript sources, so their tests need no build first.
    '^@phone-auth/verify$': '<rootDir>/packages/verify/src/index.ts',
    '^@phone-auth/verify/(nest|express|fastify|next)$': '<rootDir>/packages/verify/src/$1.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  globalSetup: '<rootDir>/test/support/global-setup.cjs',
  // Nest's console logger off in every test file (see the file); apps that capture logs set their own.
  setupFiles: ['<rootDir>/test/support/quiet-logger.ts'],
  testTimeout: 30000,
  // Every suite closes what it opens, but a handle left by ioredis (a sentinel lookup in flight when
  // the failover suite disconnects) kept Jest alive after a green run in CI; exit when done.
  forceExit: true,
};

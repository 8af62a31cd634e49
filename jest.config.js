/**
 * The test suite in four projects, whose files run in parallel worker processes (each file has its own database
 * cloned from a migrated template, its own hub on a free port, its own data directory):
 *   unit      *.spec.ts beside the code (no database)
 *   database  *.int-spec.ts (PostgreSQL)
 *   e2e       apps/<app>/test/*.e2e-spec.ts without a browser
 *   browser   apps/<app>/test/web-*.e2e-spec.ts (Chromium; `npm test` runs them after the others with fewer workers)
 * Pick projects with `--selectProjects unit database`; JEST_MAX_WORKERS overrides the number of workers (default:
 * one per core).
 */
const { readFileSync } = require('node:fs');

const paths = JSON.parse(readFileSync(`${__dirname}/tsconfig.base.json`, 'utf8')).compilerOptions.paths;
const moduleNameMapper = Object.fromEntries(
  Object.entries(paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target.replace(/^\.\//, '')}`]),
);

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/apps/web/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', transpileOnly: true }],
    // NestJS 12 ships ES modules only, and jest on Node 20 cannot require() them: compile them to CommonJS.
    '^.+\.js$': '<rootDir>/libs/testing/jest/esm-to-cjs.transform.js',
  },
  // ES-module-only packages in the dependency tree (found by jest's 'Must use import' error).
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@scure|@noble|@otplib|otplib|@tus|srvx)/)'],
  moduleNameMapper,
  testTimeout: 60000,
};

module.exports = {
  // One embedded PostgreSQL for the whole run, whatever the projects (started once, before any worker).
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
  maxWorkers: process.env.JEST_MAX_WORKERS ?? '100%',
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/libs/testing/jest/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...common, displayName: 'database', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/*/test/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '/test/web-[^/]*\\.e2e-spec\\.ts$'],
    },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/apps/*/test/**/web-*.e2e-spec.ts'] },
  ],
};

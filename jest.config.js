/** One jest run for unit (*.spec.ts), database (*.int-spec.ts) and end-to-end (*.e2e-spec.ts) tests. */
const { readFileSync } = require('node:fs');

const paths = JSON.parse(readFileSync(`${__dirname}/tsconfig.base.json`, 'utf8')).compilerOptions.paths;
const moduleNameMapper = Object.fromEntries(
  Object.entries(paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target.replace(/^\.\//, '')}`]),
);

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/{apps,libs}/**/*.int-spec.ts', '<rootDir>/apps/*/test/**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/apps/web/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', transpileOnly: true }],
    // NestJS 12 ships ES modules only, and jest on Node 20 cannot require() them: compile them to CommonJS.
    '^.+\.js$': '<rootDir>/libs/testing/jest/esm-to-cjs.transform.js',
  },
  // ES-module-only packages in the dependency tree (found by jest's 'Must use import' error).
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@scure|@noble|@otplib|otplib|@tus|srvx)/)'],
  moduleNameMapper,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/libs/testing/jest/summary-reporter.js'],
};

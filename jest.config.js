/** Jest: TypeScript through ts-jest; one shared database template per run (see test/helpers/globalSetup.ts). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/helpers/globalSetup.ts',
  setupFiles: ['<rootDir>/test/helpers/fuzzSeed.ts'],
  globalTeardown: '<rootDir>/test/helpers/globalTeardown.ts',
  testTimeout: 600000, // generous: a test fails on a real hang, not because a loaded machine is slow
  maxWorkers: 2,
};

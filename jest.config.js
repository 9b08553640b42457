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
  // Jest force-kills a worker it has not seen exit 500 ms after asking it to, and warns of a leak. A probe
  // in every worker of full runs (2026-12-07): each reached its 'exit' event 1 ms after the request with
  // only its IPC pipes open; 250 ms later one was an unreaped zombie and the other still tearing down its
  // heap (then killed). That is teardown and reaping on a loaded machine, not an open handle. A real leak
  // keeps a worker alive for good, so it still exceeds this limit and still warns.
  workerGracefulExitTimeout: 5000,
};

/**
 * Three projects: `unit` (no I/O, no Java: use cases against in-memory adapters, the in-memory
 * side of the store contract), `integration` (DynamoDB Local + the Glase sandbox over real HTTP
 * and SOAP; only this project starts DynamoDB Local) and `infra` (CDK synth and assertions).
 * `npm run test:unit` runs the first alone.
 */
const typescript = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  setupFiles: ['<rootDir>/test/support/env.ts'],
};

/** @type {import('jest').Config} */
export default {
  // A timeout only catches hangs: no test may depend on how fast the machine is. Ten minutes is
  // ten times the slowest test's own time with a CPU hog on every core.
  testTimeout: 600_000,
  maxWorkers: 2,
  projects: [
    {
      ...typescript,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/contract/in-memory.test.ts'],
    },
    {
      ...typescript,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/contract/dynamodb.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
    {
      ...typescript,
      displayName: 'infra',
      testMatch: ['<rootDir>/test/infra/**/*.test.ts'],
    },
  ],
};

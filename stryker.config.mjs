// Mutation testing of the pure decision code (`npm run test:mutation`, see docs/TESTING.md): Stryker
// changes one thing at a time in these files (a condition, a branch, a string, an operator) and runs
// the unit specs that cover the change; a mutant no spec notices is a guarantee nothing tests.
// SQL is not mutated: the guarantees that live in the database have their database-tier specs.
import jestConfig from './jest.config.mjs';

/** The decision code, and the specs that must notice any change to it. */
const modules = {
  'apps/orchestrator/src/saga/transfer.saga.ts': 'apps/orchestrator/src/saga/transfer.saga.spec.ts',
  'apps/orchestrator/src/saga/saga.settings.ts': 'apps/orchestrator/src/saga/saga.settings.spec.ts',
  'libs/messaging/src/consumer/failure-policy.ts': 'libs/messaging/src/consumer/failure-policy.spec.ts',
  'libs/messaging/src/amqp/backoff.ts': 'libs/messaging/src/amqp/backoff.spec.ts',
  'apps/audit/src/trail/audit-chain.ts': 'apps/audit/src/trail/audit-chain.spec.ts',
  // The fingerprint and its canonical JSON, not the Nest parameter decorator above them.
  'apps/orchestrator/src/common/idempotency-key.ts:20-35': 'apps/orchestrator/src/common/idempotency-key.spec.ts',
  'libs/common/src/config/load-config.ts': 'libs/common/src/config/load-config.spec.ts',
};

// The unit project as `npm run test:unit` runs it, reduced to the specs above (no database needed).
const { displayName: _name, testMatch: _all, ...unit } = jestConfig.projects.find((p) => p.displayName === 'unit');

export default {
  testRunner: 'jest',
  // Our Jest runs on ES modules: the child processes need the same flag as `npm run test:unit`.
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    // Each mutant runs only the specs that import its file (findRelatedTests), filtered to the tests that reach it.
    config: { ...unit, testMatch: [...new Set(Object.values(modules))].map((spec) => `<rootDir>/${spec}`) },
  },
  mutate: Object.keys(modules),
  coverageAnalysis: 'perTest',
  // Only what the specs import is needed in the sandbox.
  ignorePatterns: ['dist', 'bench-results', 'reports', 'certs', '.stryker-tmp'],
  thresholds: { high: 90, low: 80, break: 80 },
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  concurrency: 2,
};

// Mutation testing of the pure decision code (`npm run test:mutation`, see docs/TESTING.md): Stryker
// changes one thing at a time in these files (a condition, a branch, a string, an operator) and runs
// the unit specs that cover the change; a mutant no spec notices is a guarantee nothing tests.
// SQL is not mutated: the guarantees that live in the database have their database-tier specs.
import jestConfig from './jest.config.mjs';

/** The decision code, and the specs that must notice any change to it. */
const modules = {
  'apps/orchestrator/src/saga/transfer.saga.ts': 'apps/orchestrator/src/saga/transfer.saga.spec.ts',
  // The loop and `attempt` both sagas share: the transfer saga's spec walks every branch of it.
  'apps/orchestrator/src/saga/saga-steps.ts': 'apps/orchestrator/src/saga/transfer.saga.spec.ts',
  'apps/orchestrator/src/saga/deposit.saga.ts': 'apps/orchestrator/src/saga/deposit.saga.spec.ts',
  // stepRetryPolicy, not the settings token above it (its name matters to Nest's wiring only: end to end).
  'apps/orchestrator/src/saga/saga.settings.ts:13-17': 'apps/orchestrator/src/saga/saga.settings.spec.ts',
  'libs/messaging/src/consumer/failure-policy.ts': 'libs/messaging/src/consumer/failure-policy.spec.ts',
  'libs/common/src/retry/backoff.ts': 'libs/common/src/retry/backoff.spec.ts',
  'libs/common/src/json/canonical-json.ts': 'libs/common/src/json/canonical-json.spec.ts',
  'apps/audit/src/trail/audit-chain.ts': 'apps/audit/src/trail/audit-chain.spec.ts',
  // The fingerprint, not the Nest parameter decorator above it.
  'apps/orchestrator/src/common/idempotency-key.ts:21-24': 'apps/orchestrator/src/common/idempotency-key.spec.ts',
  'libs/common/src/config/load-config.ts': 'libs/common/src/config/load-config.spec.ts',
};

// `npx stryker run --mutate <file>[,<file>]` (one module at a time, for results early): only those
// modules' specs. Stryker runs a static mutant (a module-level constant) against every spec it is given,
// and the saga's spec reaches load-config.ts through the @bank/common barrel.
const cliMutate = process.argv.find((_, i, argv) => ['--mutate', '-m'].includes(argv[i - 1]));
const chosen = cliMutate ? Object.keys(modules).filter((m) => cliMutate.split(',').some((f) => m.startsWith(f.split(':')[0]))) : [];
const specs = [...new Set((chosen.length > 0 ? chosen : Object.keys(modules)).map((m) => modules[m]))];

// The unit project as `npm run test:unit` runs it, reduced to the specs above (no database needed).
const { displayName: _name, testMatch: _all, ...unit } = jestConfig.projects.find((p) => p.displayName === 'unit');

export default {
  testRunner: 'jest',
  // Our Jest runs on ES modules: the child processes need the same flag as `npm run test:unit`.
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    // Each mutant runs only the specs that import its file (findRelatedTests), filtered to the tests that reach it.
    config: { ...unit, testMatch: specs.map((spec) => `<rootDir>/${spec}`) },
  },
  mutate: Object.keys(modules),
  // No mutants in log lines: unit tests do not read them (see the ignorer).
  plugins: ['@stryker-mutator/*', './test/setup/stryker-log-ignorer.mjs'],
  ignorers: ['log-lines'],
  coverageAnalysis: 'perTest',
  // Stryker's default margin (5 s over the tests' own time) is shorter than one Jest run of ES modules
  // on a loaded machine: live mutants then "time out" and count as killed. A real endless loop here
  // would be an awaited one, which Jest's own 5 s test timeout turns into a failed test anyway.
  timeoutMS: 60_000,
  // Only what the specs import is needed in the sandbox.
  ignorePatterns: ['dist', 'bench-results', 'reports', 'certs', '.stryker-tmp'],
  thresholds: { high: 90, low: 80, break: 91 },
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  concurrency: 2,
};

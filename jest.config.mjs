// Jest 30 on ES modules (run with node --experimental-vm-modules), TypeScript through @swc/jest.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      target: 'es2023',
      keepClassNames: true,
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    },
    module: { type: 'es6' },
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@bank/common/config$': '<rootDir>/libs/common/src/config/index.ts',
    '^@bank/messaging/config$': '<rootDir>/libs/messaging/src/config.ts',
    '^@bank/(contracts|common|database|messaging|testing)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
};

export default {
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.mjs'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      setupFiles: ['reflect-metadata', '<rootDir>/test/setup/quiet-logger.ts'],
      testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/test/static/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      setupFilesAfterEnv: ['<rootDir>/test/setup/e2e.setup.ts'],
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
    // Only `npm run test:compose` selects it: it needs the compose stack that script starts.
    {
      ...common,
      displayName: 'compose',
      setupFilesAfterEnv: ['<rootDir>/test/setup/e2e.setup.ts'],
      testMatch: ['<rootDir>/test/compose/**/*.compose-spec.ts'],
    },
  ],
};

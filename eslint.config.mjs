// ESLint flat config: typed rules (typescript-eslint recommendedTypeChecked through the project
// service, i.e. tsconfig.json) for TypeScript; a few core rules for the plain .mjs scripts. Formatting
// is Prettier's job (.prettierrc.json), so no stylistic rules here.
import { readdirSync } from 'node:fs';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// An app never imports another app, a lib never imports an app: shared code goes to a lib. Imports
// between apps are relative (`../../../ledger/src/...`), so the pattern is the climb out of the app
// into another one's `src/` (or through `apps/`), whatever the depth.
const apps = readdirSync(new URL('./apps/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const noImportOf = (targets, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ regex: `^(\\.\\./)+(apps/|(${targets.join('|')})/src/)`, message }] }],
});

// The Node globals the scripts use; listed here because the `globals` package is not a dependency.
const nodeGlobals = Object.fromEntries(
  [
    'AbortController',
    'AbortSignal',
    'Buffer',
    'URL',
    'URLSearchParams',
    'TextDecoder',
    'TextEncoder',
    'clearInterval',
    'clearTimeout',
    'console',
    'fetch',
    'globalThis',
    'performance',
    'process',
    'queueMicrotask',
    'setImmediate',
    'setInterval',
    'setTimeout',
    'structuredClone',
  ].map((name) => [name, 'readonly']),
);

const shared = {
  eqeqeq: ['error', 'smart'],
  'no-var': 'error',
  'prefer-const': 'error',
  'no-debugger': 'error',
};

export default defineConfig(
  globalIgnores([
    'dist/',
    'node_modules/',
    'coverage/',
    'logs/',
    'bench-results/',
    '.stryker-tmp/',
    'reports/',
    'test/support/bank-api.generated.ts',
  ]),
  {
    files: ['**/*.{ts,mts,cts}'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      ...shared,
      // A promise nobody awaits loses its error and races the rest of the code: money code cannot afford either.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: nodeGlobals },
    rules: {
      ...shared,
      'no-undef': 'error',
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Services log through Nest's Logger (pino JSON with the correlation id, secrets redacted), never the console.
    files: ['apps/**', 'libs/**'],
    rules: { 'no-console': 'error' },
  },
  ...apps.map((app) => ({
    files: [`apps/${app}/**/*.{ts,mts,cts}`],
    rules: noImportOf(
      apps.filter((other) => other !== app),
      `apps/${app} may not import another app: move what both need to a lib (docs/CONVENTIONS.md, Layout).`,
    ),
  })),
  {
    files: ['libs/**/*.{ts,mts,cts}'],
    rules: noImportOf(apps, 'A lib may not import an app (docs/CONVENTIONS.md, Layout).'),
  },
  {
    // Jest's `expect(mock.method)` passes methods unbound on purpose.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      // Tests read HTTP bodies (supertest types them \`any\`) and assert on their shape with expect().
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);

// ESLint with typescript-eslint's type-aware recommended rules over the TypeScript of src/, test/ and bench/.
// `npm test` runs it (npm run lint) before the tests.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '.tools/',
      'coverage/',
      'bench/out/',
      '.tmp/',
      'test-output/',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test(), describe() and hooks return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      // `_name` marks a value left unused on purpose (destructuring it away, an unused callback parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Loads on demand: the CLI requires a command's modules (and re2js) only when that command runs, a measured
    // part of its start-up time; the bench runner loads the section files it finds in bench/sections/; two tests
    // load modules only after setting the environment those modules read.
    files: [
      'src/cli/**/*.ts',
      'src/analysis/classificationRuleFile.ts',
      'bench/run.ts',
      'test/functions/ingestExportSdkBinding.test.ts',
      'test/infra/ingestExportRegistration.test.ts',
    ],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Stand-ins implement async interfaces (sleep, prepare, streams as async generators) with nothing to wait for.
      '@typescript-eslint/require-await': 'off',
    },
  },
);

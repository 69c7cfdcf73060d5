import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.plinth/**', 'coverage/**', '**/web-dist/**', '**/test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    // Plugins build on the SDK alone: never on core, never on another plugin's source.
    files: ['plugins/**/*.ts', 'examples/*-plugin/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@plinth/core', '@plinth/core/*'], message: 'Plugins depend on @plinth/sdk only (tests may use @plinth/core/testing).' },
            { group: ['../../*/src/*', '../../../plugins/*'], message: 'Talk to other plugins through events and exported services, not their source.' },
          ],
        },
      ],
    },
  },
  {
    files: ['plugins/*/test/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);

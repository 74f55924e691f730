// Lint encodes the architecture (STYLE rule 11) with type-aware rules; the import bans per layer
// (services hold rules only, SQL in stores, fs in adapters, ...) are dependency-cruiser's rules
// (.dependency-cruiser.cjs), run by scripts/check.sh right after lint.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'docs/', 'bin/', '.scratch/', 'web/dist/', 'web/dist.tmp-*/', 'web/src/api/openapi.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.ts', '**/*.tsx'] })),
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      '@typescript-eslint/only-throw-error': 'off',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Enums are not erasable TypeScript; use a union of literals.' }],
    },
  },
  { files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-non-null-assertion': 'off' } },
  // The operator console (web/src, ADR 0035): TypeScript for the browser, type-checked against
  // web/tsconfig.json (the DOM, Preact's JSX) by the project service.
  { files: ['web/**/*.ts', 'web/**/*.tsx'], languageOptions: { globals: globals.browser } },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);

// Lint encodes the architecture (STYLE rule 11): type-aware rules, and import bans per layer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Services hold the rules: they MUST NOT touch HTTP, SQL or the filesystem. */
const serviceBans = {
  paths: [
    { name: 'fastify', message: 'Services must not depend on HTTP; put it in *.routes.ts.' },
    { name: '@fastify/websocket', message: 'Services must not depend on HTTP.' },
    { name: 'kysely', message: 'Services must not run SQL; put it in *.store.ts.' },
    { name: 'better-sqlite3', message: 'Services must not open databases.' },
    { name: 'pg', message: 'Services must not open databases.' },
    { name: 'node:fs', message: 'Services must not touch the filesystem; use an adapter.' },
    { name: 'node:fs/promises', message: 'Services must not touch the filesystem; use an adapter.' },
    { name: 'node:child_process', message: 'Services must not spawn processes; use an adapter.' },
  ],
  patterns: [{ group: ['**/db/database.ts', '**/*.store.ts'], message: 'Services receive stores through interfaces, not modules.' }],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'docs/', 'bin/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.ts'] })),
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    files: ['**/*.ts'],
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
  { files: ['src/**/*.service.ts', 'src/**/segmenter.ts', 'src/**/timeline.ts', 'src/**/hls-playlist.ts', 'src/live/live-hub.ts'], rules: { 'no-restricted-imports': ['error', serviceBans] } },
  { files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-non-null-assertion': 'off' } },
  // The page is plain browser JavaScript (no build step): recommended rules, browser globals.
  { files: ['web/**/*.js'], languageOptions: { sourceType: 'module', globals: globals.browser } },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);

// ESLint: the recommended rules of ESLint and typescript-eslint, and two type-aware rules for the
// bugs an async API invites: a promise nobody awaits (its rejection is lost, or the test ends
// before it settles) and an async function passed where a plain callback is expected. Layout is
// Prettier's (npm run format), so no formatting rules here.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The TypeScript that tsconfig.json type-checks: the type-aware rules need its program.
const TYPED = ['lib/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'vitest.config.ts', 'vitest.load.config.ts'];

export default defineConfig(
  {
    ignores: ['dist/', 'build*/', 'prebuilds/', 'docs/api/', 'bench/results/', '.readme-examples-*/', '**/node_modules/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
  },
  {
    files: TYPED,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // CommonJS: require() is how these files load modules.
    files: ['**/*.cjs', 'scripts/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

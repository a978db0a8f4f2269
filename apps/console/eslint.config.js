import { createRequire } from 'node:module';
import config from '@switchyard/eslint-config';

// The import-x plugin is the shared config's dependency; take its resolver from there.
const sharedRequire = createRequire(import.meta.resolve('@switchyard/eslint-config'));
const { createNodeResolver } = sharedRequire('eslint-plugin-import-x');

// The shared config (typed rules, import cycles) plus .tsx: the cycle check must parse and resolve the pages too
// (`./App.js` in an import means App.tsx, as Vite and TypeScript read it).
export default [
  ...config,
  {
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createNodeResolver({
          conditionNames: ['@switchyard/source', 'types', 'import', 'browser', 'default'],
          extensions: ['.ts', '.tsx', '.js', '.json'],
          extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
        }),
      ],
    },
  },
];

import config from '@switchyard/eslint-config';

// The shared config (typed rules, import cycles) also covers the .tsx pages; the console has no process.env
// outside its Vite config, which the shared config leaves out with every *.config.ts.
export default [
  ...config,
  {
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
  },
];

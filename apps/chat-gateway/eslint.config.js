import config from '@switchyard/eslint-config';

export default [
  ...config,
  {
    // import-x's resolver cannot resolve lru-cache's conditional exports and then crashes looking for a legacy
    // resolver; lru-cache is a leaf dependency, so it is safe to skip from the cycle check.
    settings: { 'import-x/core-modules': ['lru-cache'] },
  },
];

import { createVitestConfig } from '@switchyard/vitest-config';

// Unit tests only; the browser suite (e2e/) has its own config.
export default createVitestConfig({
  include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  environment: 'node',
});

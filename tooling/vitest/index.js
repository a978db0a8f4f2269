import { defineConfig } from 'vitest/config';

// No 'import' here: Vitest hands these conditions to Node for external dependencies too, and with 'import'
// a CommonJS require of a dual package (pg -> pg-pool) would load its ESM build and break.
const sourceConditions = ['@switchyard/source', 'module', 'node', 'default'];

/**
 * Shared Vitest settings: resolve workspace packages to their TypeScript sources (no build step),
 * and write a JSON report that .ci/run sums into one "N passed, N failed" line.
 */
export function createVitestConfig(overrides = {}) {
  return defineConfig({
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions, externalConditions: ['@switchyard/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}

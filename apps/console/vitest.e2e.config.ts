import { createVitestConfig } from '@switchyard/vitest-config';

// The browser suite: one stack (gateway, worker, simulators) for all files, which run one at a time against it.
// Its report has its own name so that .ci/run sums it beside the unit tests' reports/vitest.json.
const config = createVitestConfig({
  include: ['e2e/**/*.e2e.test.ts'],
  globalSetup: ['e2e/global-setup.ts'],
  fileParallelism: false,
  reporters: ['default', ['json', { outputFile: 'reports/vitest-e2e.json' }]],
  // A page's data can take a few seconds (usage rows are written by the worker); measured runs stay far below.
  testTimeout: 120_000,
  hookTimeout: 240_000,
  // Closing the stack lets the gateway and worker drain (up to 20 s each) before the databases are dropped.
  teardownTimeout: 90_000,
});

// The global setup runs in Vitest's own environment, which does not get the shared config's source conditions:
// without them the workspace packages would resolve to their (unbuilt) dist.
export default {
  ...config,
  environments: {
    __vitest__: { resolve: { conditions: ['@switchyard/source', 'module', 'node', 'default'] } },
  },
};

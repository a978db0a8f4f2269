import { createVitestConfig } from '@switchyard/vitest-config';

const shared = createVitestConfig({ fileParallelism: true });

// The shared SSR conditions include `import`, which Node also applies to `require()` of externals; pg then
// loads pg-pool's ESM build through require and fails ("Class extends value [object Module]").
export default {
  ...shared,
  ssr: { resolve: { conditions: ['@switchyard/source', 'node', 'default'], externalConditions: ['@switchyard/source'] } },
};

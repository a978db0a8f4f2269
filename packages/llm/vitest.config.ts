import { createVitestConfig } from '@switchyard/vitest-config';

// The soak test measures retained memory, which needs a forced GC to mean anything.
export default createVitestConfig({ execArgv: ['--expose-gc'] });

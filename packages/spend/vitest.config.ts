import { createVitestConfig } from '@switchyard/vitest-config';

export default createVitestConfig();

import type { TestProject } from 'vitest/node';
import { startStack, type StackInfo } from './stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/** One stack for every browser test file (starting it takes most of a minute); torn down after the last file. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startStack();
  project.provide('stack', stack.info);
  return stack.close;
}

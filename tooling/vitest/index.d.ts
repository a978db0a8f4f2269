import type { UserConfig } from 'vitest/config';
import type { InlineConfig } from 'vitest/node';

/** Shared Vitest settings; `overrides` are merged into `test`. */
export function createVitestConfig(overrides?: InlineConfig): UserConfig;

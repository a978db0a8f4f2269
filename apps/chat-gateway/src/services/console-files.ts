import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `apps/console/dist` seen from this file, in `src/services/` and in the compiled `dist/services/` alike. The
 * Docker image keeps the gateway package in `/app` and copies the console to `/console/dist`, the same place
 * relative to it, so one default serves the repo and the image.
 */
export const defaultConsoleDistDir = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

/** The console's build directory when it holds a built console (`index.html`), else undefined. */
export function findConsoleBuild(configuredDir: string | undefined): string | undefined {
  const dir = configuredDir ?? defaultConsoleDistDir;
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

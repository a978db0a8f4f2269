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

/**
 * Headers of the console's page: revalidated on every load (it names the current fingerprinted assets), and a
 * content security policy that lets it load and call only this origin. The page holds an API key in session
 * storage, so injected script must not run and nothing may be sent elsewhere. Inline styles stay allowed: the
 * chart library sets them. Framing only by this origin.
 */
export const consolePageHeaders = {
  'cache-control': 'no-cache',
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
} as const;

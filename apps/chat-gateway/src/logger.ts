import { logRedactCensor, logRedactPaths, type RuntimeConfig } from '@switchyard/config';
import type { LoggerOptions } from 'pino';

/** Logger options for the gateway: level from LOG_LEVEL, secrets redacted, errors without stacks. */
export function createLoggerOptions(runtime: RuntimeConfig): LoggerOptions {
  return {
    level: runtime.logLevel,
    // One list for both apps (packages/config), so a credential field added there is blanked everywhere.
    redact: { paths: [...logRedactPaths], censor: logRedactCensor },
    serializers: {
      // Stacks and causes can carry request bodies or keys; logs get the name and message only.
      err: (error: Error & { code?: unknown }) => ({
        type: error.name,
        message: error.message,
        code: error.code,
      }),
    },
  };
}

import { logRedactCensor, logRedactPaths } from '@switchyard/config';
import type { LoggerOptions } from 'pino';

/** Logger options for the worker: the gateway's redaction list, so keys and tokens never reach a log line. */
export function createWorkerLoggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'monitoring-worker' },
    redact: { paths: [...logRedactPaths], censor: logRedactCensor },
  };
}

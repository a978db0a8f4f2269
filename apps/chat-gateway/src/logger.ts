import type { RuntimeConfig } from '@switchyard/config';
import type { LoggerOptions } from 'pino';

/** Paths pino blanks in every log line: credentials in headers and bodies, wherever they appear. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  '*.apiKey',
  '*.api_key',
  '*.key',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.password',
  '*.secret',
  'apiKey',
  'key',
  'token',
];

/** Logger options for the gateway: level from LOG_LEVEL, secrets redacted, errors without stacks. */
export function createLoggerOptions(runtime: RuntimeConfig): LoggerOptions {
  return {
    level: runtime.logLevel,
    redact: { paths: redactedPaths, censor: '[redacted]' },
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

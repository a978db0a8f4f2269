/** Field names whose values are credentials: blanked wherever they appear at the top level or one level down. */
const secretFields = [
  'apiKey',
  'api_key',
  'key',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'authorization',
  'Authorization',
  'cookie',
];

/** Header paths pino cannot reach with the field list (hyphenated names, request objects two levels down). */
const headerPaths = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*["x-api-key"]',
];

/**
 * The pino `redact.paths` both apps use, so a key, token or `authorization` value never reaches a log line.
 * pino wildcards match one level only, hence each field both bare and under `*.`.
 */
export const logRedactPaths: readonly string[] = [
  ...secretFields.flatMap((field) => [field, `*.${field}`]),
  ...headerPaths,
];

/** What pino writes in place of a redacted value. */
export const logRedactCensor = '[redacted]';

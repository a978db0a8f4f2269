import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLoggerOptions, redactUrl } from './logger.js';

function logLine(write: (logger: pino.Logger) => void): string {
  const lines: string[] = [];
  const logger = pino(
    createLoggerOptions({ logLevel: 'info' } as Parameters<typeof createLoggerOptions>[0]),
    { write: (line: string) => lines.push(line) },
  );
  write(logger);
  return lines.join('');
}

describe('gateway logger', () => {
  it('blanks keys, tokens and authorization at the top level and one level down', () => {
    const line = logLine((logger) =>
      logger.info(
        {
          apiKey: 'sk-top-secret-1',
          access_token: 'ya29.secret-2',
          authorization: 'Bearer sy-secret-3',
          provider: { apiKey: 'sk-nested-4', refresh_token: 'rt-secret-5' },
          req: { headers: { authorization: 'Bearer sy-secret-6', 'x-api-key': 'sy-secret-7' } },
          model: 'gpt-4o-mini',
        },
        'call',
      ),
    );
    for (const secret of ['secret-1', 'secret-2', 'secret-3', 'nested-4', 'secret-5', 'secret-6', 'secret-7'])
      expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
    expect(JSON.parse(line)).toMatchObject({ apiKey: '[redacted]', model: 'gpt-4o-mini' });
  });

  it('blanks the authorization code and state of an OAuth callback URL', () => {
    const url = '/api/connections/gsc/callback?code=4/0Ab-secret-code&state=state-secret.abc&scope=x';
    expect(redactUrl(url)).not.toMatch(/secret/);
    expect(redactUrl(url)).toContain('scope=x');
    expect(redactUrl('/v1/models')).toBe('/v1/models');
  });
});

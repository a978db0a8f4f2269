import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createWorkerLoggerOptions } from './logger.js';

describe('worker logger', () => {
  it('blanks keys, tokens and authorization like the gateway does', () => {
    const lines: string[] = [];
    const logger = pino(createWorkerLoggerOptions('info'), { write: (line: string) => lines.push(line) });
    logger.info(
      {
        apiKey: 'sk-top-secret-1',
        access_token: 'ya29.secret-2',
        authorization: 'Bearer sy-secret-3',
        oauth: { access_token: 'ya29.secret-4', client_secret: 'cs-secret-5' },
        headers: { authorization: 'Bearer secret-6' },
        site: 'example.com',
      },
      'refresh',
    );
    const line = lines.join('');
    for (const secret of ['secret-1', 'secret-2', 'secret-3', 'secret-4', 'secret-5', 'secret-6'])
      expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({ access_token: '[redacted]', site: 'example.com' });
  });
});

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createLoggerOptions } from '../../src/logger.js';
import { createTestGateway } from '../helper.js';

type Gateway = Awaited<ReturnType<typeof createTestGateway>>;

/** A gateway whose log lines (parsed) land in `lines`, at `level`. */
async function gatewayLoggingAt(level: 'info' | 'debug') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(createLoggerOptions({ logLevel: level } as Parameters<typeof createLoggerOptions>[0]), {
    write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const gateway = await createTestGateway({}, undefined, { loggerInstance: logger });
  return { gateway, lines };
}

describe('access log', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it('writes nothing for a served request at info (the hot path does not log)', async () => {
    const logged = await gatewayLoggingAt('info');
    gateway = logged.gateway;
    const startupLines = logged.lines.length;

    const response = await gateway.app.inject({ method: 'GET', url: '/health' });

    expect(response.statusCode).toBe(200);
    expect(logged.lines.slice(startupLines)).toEqual([]);
  });

  it('writes one line per request at debug, with its request id, method, path, status and time', async () => {
    const logged = await gatewayLoggingAt('debug');
    gateway = logged.gateway;

    const response = await gateway.app.inject({ method: 'GET', url: '/health' });

    const completed = logged.lines.filter((line) => line.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      reqId: response.headers['x-request-id'],
      req: { method: 'GET', url: '/health' },
      statusCode: 200,
      responseTimeMs: expect.any(Number) as number,
    });
  });
});

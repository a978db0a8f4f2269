import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrillGateway, type DrillGateway } from './drill-gateway.js';

/**
 * Contract (issue 12): while PostgreSQL cannot answer, a chat that needs it answers 503 `dependency_unavailable`
 * (Retry-After, a message naming PostgreSQL and not its error text) within the statement / connection timeout +
 * 100 ms; serving resumes without a restart; nothing accepted is lost (the usage events of served requests are in
 * the usage stream, which the worker writes to PostgreSQL). Only the bound is asserted as timing; both timeouts are 1 s
 * here to keep the drill short, and the 100 ms on top is the margin for a loaded 2-core CI machine.
 */
const timeoutMs = 1_000;
const boundMs = timeoutMs + 100;

describe('drill: PostgreSQL black-holed', () => {
  let gateway: DrillGateway;

  beforeAll(async () => {
    gateway = await createDrillGateway({
      DATABASE_STATEMENT_TIMEOUT_MS: String(timeoutMs),
      DATABASE_CONNECT_TIMEOUT_MS: String(timeoutMs),
    });
  });
  afterAll(() => gateway.close());

  it('answers 503 dependency_unavailable within the timeout + 100 ms, recovers, and loses no usage row', async () => {
    const served = await gateway.createUser();
    const servedIds: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const { response } = await gateway.chat(served.key);
      expect(response.statusCode).toBe(200);
      servedIds.push(String(response.headers['x-request-id']));
    }
    // A key never used yet is not in the in-process cache: authenticating it needs PostgreSQL.
    const fresh = await gateway.createUser();

    await gateway.proxies.postgres.setMode('blackhole');
    const { response, elapsedMs } = await gateway.chat(fresh.key);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      error: {
        type: 'api_error',
        code: 'dependency_unavailable',
        param: null,
        message: expect.stringMatching(/^PostgreSQL is not answering/) as string,
      },
    });
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(elapsedMs).toBeLessThan(boundMs);

    await gateway.proxies.postgres.setMode('pass');
    const again = await gateway.chat(fresh.key);
    expect(again.response.statusCode).toBe(200);
    servedIds.push(String(again.response.headers['x-request-id']));

    // Usage never waits on PostgreSQL: each served request's event went to the usage stream with its answer.
    const logged = (await gateway.usageEvents()).filter(
      (event) => event.userId === served.id || event.userId === fresh.id,
    );
    expect([...new Set(logged.map((event) => event.requestId))].sort()).toEqual([...servedIds].sort());
  });
});

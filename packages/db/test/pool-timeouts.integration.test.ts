import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformDb, type PlatformDb } from '../src/index.js';
import { createTestDatabases, type TestDatabases } from '../src/testing/index.js';

describe('pool timeouts', () => {
  let databases: TestDatabases;
  let platform: PlatformDb;

  beforeAll(async () => {
    databases = await createTestDatabases();
    platform = createPlatformDb(databases.config.platformUrl, {
      poolMax: 2,
      timeouts: { connectMs: 1_000, statementMs: 300, idleInTransactionMs: 400 },
    });
  });
  afterAll(async () => {
    await platform.close();
    await databases.drop();
  });

  it('sets statement_timeout and idle_in_transaction_session_timeout on every connection', async () => {
    const result = await platform.pool.query<{ statement: string; idle: string }>(
      `select current_setting('statement_timeout') as statement,
              current_setting('idle_in_transaction_session_timeout') as idle`,
    );
    expect(result.rows[0]).toEqual({ statement: '300ms', idle: '400ms' });
  });

  it('cancels a statement that runs longer than statementMs (it used to run to its end)', async () => {
    await expect(platform.pool.query('select pg_sleep(5)')).rejects.toSatisfy(
      (error: Error & { code?: string }) => error.code === '57014' || error.message === 'Query read timeout',
    );
  });
});

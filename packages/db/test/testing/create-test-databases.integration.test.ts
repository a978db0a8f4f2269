import { describe, expect, it } from 'vitest';
import { sql } from '../../src/index.js';
import { verifyDatabases } from '../../src/prepare.js';
import { createTestDatabases } from '../../src/testing/index.js';
import { serverUrl, superuserQuery } from '../helper.js';

async function existing(names: string[]): Promise<string[]> {
  const rows = await superuserQuery<{ datname: string }>(
    serverUrl,
    'select datname from pg_database where datname = any($1) order by datname',
    [names],
  );
  return rows.map((row) => row.datname);
}

describe('createTestDatabases', () => {
  it('gives each caller its own migrated, seeded, verified pair, and drop removes it even with open connections', async () => {
    const [first, second] = await Promise.all([createTestDatabases(), createTestDatabases()]);
    const names = [first, second]
      .flatMap((pair) => [pair.config.platformUrl, pair.config.userdataUrl])
      .map((url) => new URL(url).pathname.slice(1));
    expect(new Set(names).size).toBe(4);
    expect(names.every((name) => /^sy_test_[0-9a-f]{12}_(platform|userdata)$/.test(name))).toBe(true);

    expect((await verifyDatabases(first.config)).status).toBe('ok');
    const plans = await first.platform.db.execute<{ count: string }>(
      sql`select count(*) from subscription_plans`,
    );
    expect(plans.rows).toEqual([{ count: '4' }]);

    await first.platform.db.execute(sql`select 1`);
    await Promise.all([first.drop(), second.drop()]);
    expect(await existing(names)).toEqual([]);
  });
});

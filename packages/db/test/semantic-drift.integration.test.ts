import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readProcessEnv } from '@switchyard/config';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseLayouts } from '../src/layout.js';
import { SchemaDriftError, prepareDatabases, verifyDatabases } from '../src/prepare.js';
import { readExpectedSemanticCatalog, readSemanticCatalog } from '../src/semantic-catalog.js';
import { createTestDatabases, type TestDatabases } from '../src/testing/index.js';
import type { SchemaReport } from '../src/verifier.js';
import { superuserQuery } from './helper.js';

let databases: TestDatabases;
beforeEach(async () => {
  databases = await createTestDatabases();
});
afterEach(async () => {
  await databases.drop();
});

function errorsOf(report: SchemaReport, database: 'platform' | 'userdata'): string[] {
  const found = report.databases.find((entry) => entry.database === database)!;
  return found.issues.filter((issue) => issue.severity === 'error').map((issue) => issue.message);
}

const owner = `(user_id = (NULLIF(current_setting('app.current_user_id'::text, true), ''::text))::uuid)`;
const roles = `CHECK (role = ANY (ARRAY['system'::text, 'user'::text, 'assistant'::text, 'tool'::text]))`;

// Each drift: the SQL an operator (or attacker) might run, and the error naming the object.
const drifts = {
  'a policy loosened to using (true)': {
    sql: 'alter policy messages_owner on messages using (true)',
    error: `policy messages_owner on messages is permissive for ALL to public using true with check ${owner}, expected permissive for ALL to public using ${owner} with check ${owner}`,
  },
  'a changed column default': {
    sql: `alter table oauth_connections alter column status set default 'revoked'`,
    error: `column oauth_connections.status defaults to 'revoked'::text, expected 'active'::text`,
  },
  'a widened check constraint': {
    sql: `alter table messages drop constraint messages_role_check, add constraint messages_role_check check (role in ('system', 'user', 'assistant', 'tool', 'admin'))`,
    error: `check constraint messages_role_check on messages is CHECK (role = ANY (ARRAY['system'::text, 'user'::text, 'assistant'::text, 'tool'::text, 'admin'::text])), expected ${roles}`,
  },
};

describe('policy, default and check-body drift', () => {
  it('the committed expected catalog is what the migrations create (regenerate with db:catalog)', async () => {
    for (const [name, url] of [
      ['platform', databases.config.platformUrl],
      ['userdata', databases.config.userdataUrl],
    ] as const) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const live = await readSemanticCatalog(client).finally(() => client.end());
      const expected = await readExpectedSemanticCatalog(databaseLayouts[name].migrationsFolder);
      expect({ ...live, postgresMajor: 0 }).toEqual({ ...expected, postgresMajor: 0 });
    }
  });

  it.each(Object.entries(drifts))('reports %s as an error naming the object', async (_, drift) => {
    await superuserQuery(databases.config.userdataUrl, drift.sql);
    const report = await verifyDatabases(databases.config);
    expect(report.status).toBe('drift');
    expect(errorsOf(report, 'userdata')).toEqual([drift.error]);
    expect(errorsOf(report, 'platform')).toEqual([]);
    await expect(prepareDatabases(databases.config)).rejects.toBeInstanceOf(SchemaDriftError);
  });

  it('reports an extra permissive policy, which would OR-in access to every row', async () => {
    await superuserQuery(
      databases.config.userdataUrl,
      'create policy peek on messages for select using (true)',
    );
    const report = await verifyDatabases(databases.config);
    expect(errorsOf(report, 'userdata')).toEqual([
      'policy peek on messages is not created by the migrations (permissive for SELECT to public using true with check (none))',
    ]);
  });

  it('makes db:verify exit 1 naming each object, and 0 on a clean database', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
    const env = {
      ...readProcessEnv(),
      PLATFORM_DATABASE_URL: databases.config.platformUrl,
      USERDATA_DATABASE_URL: databases.config.userdataUrl,
    };
    const run = async () => {
      try {
        const { stdout } = await promisify(execFile)(
          tsx,
          ['--conditions=@switchyard/source', cli, 'verify'],
          { env },
        );
        return { code: 0, stdout };
      } catch (error) {
        const failed = error as { code: number; stdout: string };
        return { code: failed.code, stdout: failed.stdout };
      }
    };
    expect(await run()).toMatchObject({ code: 0, stdout: expect.stringMatching(/^schema verification: ok/) });
    for (const drift of Object.values(drifts)) await superuserQuery(databases.config.userdataUrl, drift.sql);
    const drifted = await run();
    expect(drifted.code).toBe(1);
    for (const drift of Object.values(drifts)) expect(drifted.stdout).toContain(`ERROR   ${drift.error}`);
    // Two cold tsx starts; generous bound for a loaded 2-core machine, as in verifier.integration.test.ts.
  }, 120_000);
});

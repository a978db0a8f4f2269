import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readProcessEnv } from '@switchyard/config';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatSchemaReport, type SchemaReport } from '../src/verifier.js';
import { SchemaDriftError, prepareDatabases, verifyDatabases } from '../src/prepare.js';
import { createTestDatabases, type TestDatabases } from '../src/testing/index.js';
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

describe('verifyDatabases', () => {
  it('finds nothing wrong with freshly migrated databases', async () => {
    const report = await verifyDatabases(databases.config);
    expect(report.status).toBe('ok');
    expect(report.databases.flatMap((database) => database.issues)).toEqual([]);
  });

  it('reports a dropped column and a dropped index precisely', async () => {
    await superuserQuery(
      databases.config.platformUrl,
      'alter table system_performance_metrics drop column unit',
    );
    await superuserQuery(databases.config.userdataUrl, 'drop index messages_conversation_history_idx');
    await superuserQuery(
      databases.config.platformUrl,
      // drizzle-kit's name is 69 characters; Postgres keeps the first 63, and so must the verifier.
      'alter table oauth_token_execution_logs drop constraint oauth_token_execution_logs_task_id_oauth_token_monitoring_tasks',
    );

    const report = await verifyDatabases(databases.config);
    expect(report.status).toBe('drift');
    expect(errorsOf(report, 'platform')).toEqual([
      'foreign key oauth_token_execution_logs_task_id_oauth_token_monitoring_tasks on oauth_token_execution_logs is missing',
      'column system_performance_metrics.unit (text) is missing',
    ]);
    expect(errorsOf(report, 'userdata')).toEqual([
      'index messages_conversation_history_idx on messages is missing',
    ]);
  });

  it('names a table created in the wrong database, as the replaced system did with monitoring tables', async () => {
    await superuserQuery(
      databases.config.userdataUrl,
      'create table oauth_token_monitoring_tasks (id uuid primary key, user_id uuid not null, status text not null)',
    );
    await superuserQuery(databases.config.platformUrl, 'drop table oauth_token_monitoring_tasks cascade');

    const report = await verifyDatabases(databases.config);
    expect(errorsOf(report, 'userdata')).toEqual([
      'oauth_token_monitoring_tasks belongs to platform but exists in userdata',
    ]);
    expect(errorsOf(report, 'platform')).toEqual([
      'table oauth_token_monitoring_tasks is missing',
      'foreign key oauth_token_execution_logs_task_id_oauth_token_monitoring_tasks on oauth_token_execution_logs is missing',
    ]);
  });

  it('reports type and nullability changes, missing row-level security and a missing trigger', async () => {
    await superuserQuery(
      databases.config.platformUrl,
      'alter table system_performance_metrics alter column value type real, alter column value drop not null',
    );
    await superuserQuery(databases.config.platformUrl, 'drop trigger users_set_updated_at on users');
    await superuserQuery(databases.config.userdataUrl, 'alter table messages no force row level security');

    const report = await verifyDatabases(databases.config);
    expect(errorsOf(report, 'platform')).toEqual([
      'trigger users_set_updated_at on users is missing',
      'column system_performance_metrics.value is real, expected double precision',
      'column system_performance_metrics.value is nullable, expected NOT NULL',
    ]);
    expect(errorsOf(report, 'userdata')).toEqual([
      'row-level security on messages is enabled but not forced',
    ]);
  });

  it('reports pending and edited migrations, and treats unknown extra objects as warnings', async () => {
    await superuserQuery(
      databases.config.platformUrl,
      `delete from switchyard_migrations.applied where name = '0002_seed_plans_and_prices'`,
    );
    await superuserQuery(
      databases.config.platformUrl,
      `update switchyard_migrations.applied set sha256 = 'x' where name = '0001_updated_at_triggers'`,
    );
    await superuserQuery(databases.config.userdataUrl, 'create table scratch_notes (id int)');

    const report = await verifyDatabases(databases.config);
    expect(errorsOf(report, 'platform')).toEqual([
      'migration 0001_updated_at_triggers was edited after it was applied',
      'migration 0002_seed_plans_and_prices is not applied',
    ]);
    const userdata = report.databases.find((entry) => entry.database === 'userdata')!;
    expect(userdata.issues).toEqual([
      expect.objectContaining({
        severity: 'warning',
        kind: 'unexpected_table',
        message: 'table scratch_notes is not in the userdata schema',
      }),
    ]);
    expect(formatSchemaReport(report)).toMatch(
      /^schema verification: drift\nplatform \(localhost:\d+\/sy_test_\w+_platform\): 2 error\(s\)/,
    );
  });

  it('makes prepareDatabases refuse to continue on drift, with the report attached', async () => {
    await superuserQuery(databases.config.platformUrl, 'drop index api_keys_key_hash_unique');
    const failure = prepareDatabases(databases.config);
    await expect(failure).rejects.toBeInstanceOf(SchemaDriftError);
    const error = (await failure.catch((caught: unknown) => caught)) as SchemaDriftError;
    expect(error.report.status).toBe('drift');
    expect(error.format()).toContain('ERROR   index api_keys_key_hash_unique on api_keys is missing');
  });
});

describe('db:verify CLI', () => {
  const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const run = async (env: Record<string, string>, ...args: string[]) => {
    try {
      const { stdout } = await promisify(execFile)(
        tsx,
        ['--conditions=@switchyard/source', cli, 'verify', ...args],
        {
          env: { ...readProcessEnv(), ...env },
        },
      );
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string };
      return { code: failed.code, stdout: failed.stdout };
    }
  };

  it('exits 0 when clean, 1 on drift (with --json for machines) and 2 when it cannot connect', async () => {
    const env = {
      PLATFORM_DATABASE_URL: databases.config.platformUrl,
      USERDATA_DATABASE_URL: databases.config.userdataUrl,
    };
    const clean = await run(env);
    expect(clean).toMatchObject({ code: 0, stdout: expect.stringMatching(/^schema verification: ok/) });

    await superuserQuery(databases.config.userdataUrl, 'alter table conversations drop column title');
    const drift = await run(env, '--json');
    expect(drift.code).toBe(1);
    expect(errorsOf(JSON.parse(drift.stdout) as SchemaReport, 'userdata')).toEqual([
      'column conversations.title (text) is missing',
    ]);

    const unreachable = await run({
      PLATFORM_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/platform',
      USERDATA_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/userdata',
    });
    expect(unreachable.code).toBe(2);
    expect(unreachable.stdout).toContain('cannot connect: ECONNREFUSED');
    // Three cold tsx starts of the CLI: 4.5 s in all on an idle 2-core machine, past 30 s once while the other
    // packages' suites loaded both cores; the bound leaves room for that, not for a hang.
  }, 120_000);
});

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applicationLoginUrls,
  createPlatformDb,
  createUserdataDb,
  sql,
  withUser,
  type PlatformDb,
  type UserdataDb,
} from '../src/index.js';
import { maintenanceUrl, quoteIdentifier } from '../src/migrator.js';
import {
  DatabasesNotMigratedError,
  prepareDatabases,
  prepareForServing,
  SchemaDriftError,
} from '../src/prepare.js';
import {
  createTestDatabases,
  dropTestDatabases,
  testApplicationPassword,
  uniqueDatabaseName,
  type TestDatabases,
} from '../src/testing/index.js';
import { messages } from '../src/userdata/index.js';

let databases: TestDatabases;
let platform: PlatformDb;
let userdata: UserdataDb;
const alice = randomUUID();
const bob = randomUUID();
// Cluster-wide role: every test sets this one password, so tests side by side never lock each other out.
const appPassword = testApplicationPassword;

beforeAll(async () => {
  databases = await createTestDatabases();
  for (const userId of [alice, bob]) {
    await withUser(databases.userdata, userId, async (transaction) => {
      await transaction.execute(
        sql`insert into conversations (id, user_id, title) values (${userId}, ${userId}, 'chat')`,
      );
      await transaction.execute(
        sql`insert into messages (conversation_id, user_id, role, content) values (${userId}, ${userId}, 'user', 'hi')`,
      );
    });
  }
  // The migrate step (`pnpm db:migrate` as the owner with DATABASE_APP_PASSWORD): migrate, let the role log in.
  await prepareDatabases({ ...databases.config, appPassword });
  const logins = applicationLoginUrls({ ...databases.config, appPassword });
  platform = createPlatformDb(logins.platformUrl, { poolMax: 2 });
  userdata = createUserdataDb(logins.userdataUrl, { poolMax: 2 });
});
afterAll(async () => {
  await Promise.all([platform.close(), userdata.close()]);
  await databases.drop();
});

const escapes = ['reset role', 'set role none'] as const;

describe('the apps log in to both databases as the application role itself', () => {
  it('is a non-superuser without BYPASSRLS in both, and stays so after RESET ROLE / SET ROLE NONE', async () => {
    for (const client of [platform, userdata]) {
      for (const escape of escapes) {
        const { rows } = await client.db.transaction(async (transaction) => {
          await transaction.execute(sql.raw(escape));
          return transaction.execute<{ who: string; session: string; bypass: boolean }>(
            sql`select current_user as who, session_user as session,
                  (select rolsuper or rolbypassrls from pg_roles where rolname = current_user) as bypass`,
          );
        });
        expect(rows).toEqual([{ who: 'switchyard_app', session: 'switchyard_app', bypass: false }]);
      }
      await expect(client.pool.query('set role postgres')).rejects.toMatchObject({ code: '42501' });
    }
  });

  it.each([
    ['platform', 'create table intruder (id int)'],
    ['platform', 'alter table users add column intruder text'],
    ['platform', 'drop table api_usage_logs'],
    ['platform', 'create index intruder on users (name)'],
    ['platform', 'alter table users disable trigger all'],
    ['platform', 'create schema intruder'],
    ['userdata', 'create table intruder (id int)'],
    ['userdata', 'alter table messages disable row level security'],
    ['userdata', 'drop policy messages_owner on messages'],
    ['userdata', 'drop table messages'],
    ['userdata', 'delete from switchyard_migrations.applied'],
  ] as const)('%s: refuses DDL and migration bookkeeping: %s', async (database, statement) => {
    const client = database === 'platform' ? platform : userdata;
    await expect(client.pool.query(statement)).rejects.toMatchObject({ code: '42501' });
  });

  it('can do the platform DML the apps need, identity sequences included', async () => {
    const email = `${randomUUID()}@least-privilege.test`;
    const inserted = await platform.pool.query<{ id: string }>(
      'insert into users (email, name) values ($1, $2) returning id',
      [email, 'before'],
    );
    const id = inserted.rows[0]!.id;
    await platform.pool.query('update users set name = $2 where id = $1', [id, 'after']);
    const read = await platform.pool.query('select name from users where id = $1', [id]);
    expect(read.rows).toEqual([{ name: 'after' }]);
    const metric = await platform.pool.query<{ id: string }>(
      `insert into system_performance_metrics (metric_name, value) values ('least_privilege', 1) returning id`,
    );
    expect(Number(metric.rows[0]!.id)).toBeGreaterThan(0);
    await platform.pool.query('delete from system_performance_metrics where id = $1', [metric.rows[0]!.id]);
    const deleted = await platform.pool.query('delete from users where id = $1', [id]);
    expect(deleted.rowCount).toBe(1);
  });

  it("can write its own userdata rows and cannot read another user's, even after RESET ROLE / SET ROLE NONE", async () => {
    for (const escape of escapes) {
      const seen = await withUser(userdata, alice, async (transaction) => {
        await transaction.execute(sql.raw(escape));
        await transaction.execute(
          sql`update messages set content = ${escape} where user_id = ${alice}::uuid`,
        );
        return transaction.select({ userId: messages.userId, content: messages.content }).from(messages);
      });
      expect(seen).toEqual([{ userId: alice, content: escape }]);
      const unscoped = await userdata.db.transaction(async (transaction) => {
        await transaction.execute(sql.raw(escape));
        return transaction.select().from(messages);
      });
      expect(unscoped).toEqual([]);
    }
  });

  it('is what closes the hole: the owner login with SET ROLE at connect is undone by SET ROLE NONE', async () => {
    // The zero-config development connection: the owner (a superuser here) with `-c role=switchyard_app`.
    const everyone = await databases.userdata.db.transaction(async (transaction) => {
      await transaction.execute(sql`set role none`);
      return transaction.select({ userId: messages.userId }).from(messages);
    });
    expect(everyone.map((row) => row.userId).sort()).toEqual([alice, bob].sort());
  });
});

describe('prepareForServing', () => {
  const serverUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

  function urlOf(name: string, login: { user: string; password?: string }): string {
    const url = new URL(serverUrl);
    url.username = login.user;
    if (login.password) url.password = login.password;
    url.pathname = `/${name}`;
    return url.toString();
  }

  it('only verifies when the apps log in as the application role, and serves a migrated database', async () => {
    const logins = applicationLoginUrls({ ...databases.config, appPassword });
    const prepared = await prepareForServing(logins);
    expect(prepared.mode).toBe('verified');
    expect(prepared.report.status).toBe('ok');
  });

  it('refuses an unmigrated database, naming what to run, and creates nothing', async () => {
    const names = { platform: uniqueDatabaseName('platform'), userdata: uniqueDatabaseName('userdata') };
    const admin = new pg.Client({ connectionString: maintenanceUrl(serverUrl) });
    await admin.connect();
    try {
      // Created by the owner (as infra/postgres does) but never migrated.
      for (const name of Object.values(names)) await admin.query(`create database ${quoteIdentifier(name)}`);
      const login = { user: 'switchyard_app', password: appPassword };
      const failure = await prepareForServing({
        platformUrl: urlOf(names.platform, login),
        userdataUrl: urlOf(names.userdata, login),
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DatabasesNotMigratedError);
      const { message, reasons } = failure as DatabasesNotMigratedError;
      expect(message).toContain('pnpm db:migrate');
      expect(message).toContain('PLATFORM_DATABASE_OWNER_URL');
      expect(reasons).toEqual([
        expect.stringMatching(
          /^platform \(localhost:5432\/sy_test_\w+_platform\): \d+ migration\(s\) pending$/,
        ),
        expect.stringMatching(
          /^userdata \(localhost:5432\/sy_test_\w+_userdata\): \d+ migration\(s\) pending$/,
        ),
      ]);
      const owner = new pg.Client({ connectionString: urlOf(names.platform, { user: 'postgres' }) });
      await owner.connect();
      const tables = await owner.query(
        `select count(*)::int as n from pg_tables where schemaname = 'public'`,
      );
      await owner.end();
      expect(tables.rows).toEqual([{ n: 0 }]);
    } finally {
      await admin.end();
      await dropTestDatabases(serverUrl, Object.values(names));
    }
  });

  it('refuses a database that does not exist as not migrated, instead of creating it', async () => {
    const login = { user: 'switchyard_app', password: appPassword };
    const missing = uniqueDatabaseName('missing');
    const failure = await prepareForServing({
      platformUrl: urlOf(missing, login),
      userdataUrl: applicationLoginUrls({ ...databases.config, appPassword }).userdataUrl,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabasesNotMigratedError);
    expect((failure as Error).message).toMatch(
      /platform \(localhost:5432\/sy_test_\w+_missing\): cannot connect: 3D000/,
    );
  });

  it('reports other drift as drift, not as a missing migration', async () => {
    const drifted = await createTestDatabases({ poolMax: 1 });
    try {
      await drifted.userdata.pool.query('set role none; alter table messages drop column content');
      const failure = await prepareForServing(applicationLoginUrls({ ...drifted.config, appPassword })).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(SchemaDriftError);
      expect((failure as SchemaDriftError).format()).toMatch(/messages/);
    } finally {
      await drifted.drop();
    }
  });
});

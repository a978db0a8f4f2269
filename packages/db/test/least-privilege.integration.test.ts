import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationLoginUrl, createUserdataDb, sql, withUser, type UserdataDb } from '../src/index.js';
import { prepareDatabases } from '../src/prepare.js';
import { createTestDatabases, type TestDatabases } from '../src/testing/index.js';
import { messages } from '../src/userdata/index.js';

let databases: TestDatabases;
let app: UserdataDb;
const alice = randomUUID();
const bob = randomUUID();
const appPassword = `app-password-${randomUUID()}`;

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
  // What every process does at startup when DATABASE_APP_PASSWORD is set: migrate, then let the role log in.
  await prepareDatabases({ ...databases.config, appPassword });
  app = createUserdataDb(applicationLoginUrl(databases.config.userdataUrl, appPassword), { poolMax: 2 });
});
afterAll(async () => {
  await app.close();
  await databases.drop();
});

const escapes = ['reset role', 'set role none'] as const;

describe('the apps log in as the application role itself (DATABASE_APP_PASSWORD)', () => {
  it('is a non-superuser without BYPASSRLS, and stays so after RESET ROLE / SET ROLE NONE', async () => {
    for (const escape of escapes) {
      const { rows } = await app.db.transaction(async (transaction) => {
        await transaction.execute(sql.raw(escape));
        return transaction.execute<{ who: string; session: string; bypass: boolean }>(
          sql`select current_user as who, session_user as session,
                (select rolsuper or rolbypassrls from pg_roles where rolname = current_user) as bypass`,
        );
      });
      expect(rows).toEqual([{ who: 'switchyard_app', session: 'switchyard_app', bypass: false }]);
    }
    await expect(app.db.execute(sql`set role postgres`)).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/permission denied/) },
    });
  });

  it.each(escapes)("cannot read another user's rows after %s", async (escape) => {
    const seen = await withUser(app, alice, async (transaction) => {
      await transaction.execute(sql.raw(escape));
      return transaction.select({ userId: messages.userId }).from(messages);
    });
    expect(seen).toEqual([{ userId: alice }]);
    const unscoped = await app.db.transaction(async (transaction) => {
      await transaction.execute(sql.raw(escape));
      return transaction.select().from(messages);
    });
    expect(unscoped).toEqual([]);
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

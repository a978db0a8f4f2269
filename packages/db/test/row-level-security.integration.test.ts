import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql, withUser } from '../src/index.js';
import { createTestDatabases, type TestDatabases } from '../src/testing/index.js';
import { conversations, messages, userAiAgents } from '../src/userdata/index.js';

let databases: TestDatabases;
const alice = randomUUID();
const bob = randomUUID();

beforeAll(async () => {
  databases = await createTestDatabases();
  for (const userId of [alice, bob]) {
    await withUser(databases.userdata, userId, async (transaction) => {
      const [conversation] = await transaction
        .insert(conversations)
        .values({ userId, title: `${userId} chat` })
        .returning();
      await transaction
        .insert(messages)
        .values({ conversationId: conversation!.id, userId, role: 'user', content: 'hello' });
      await transaction
        .insert(userAiAgents)
        .values({ userId, provider: 'openai', encryptedApiKey: `v1.sealed-for-${userId}` });
    });
  }
});
afterAll(async () => {
  await databases.drop();
});

describe('row-level security on userdata, connected the way the apps connect', () => {
  it('runs as the non-superuser application role', async () => {
    const { rows } = await databases.userdata.db.execute<{ current_user: string; bypass: boolean }>(
      sql`select current_user, (select rolsuper or rolbypassrls from pg_roles where rolname = current_user) as bypass`,
    );
    expect(rows).toEqual([{ current_user: 'switchyard_app', bypass: false }]);
  });

  it('shows no rows to a query without the user setting, even on a connection withUser used before', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(await databases.userdata.db.select().from(conversations)).toEqual([]);
      expect(await databases.userdata.db.select().from(userAiAgents)).toEqual([]);
    }
  });

  it("never shows a user another user's rows, even when asked for them by id", async () => {
    const own = await withUser(databases.userdata, alice, (transaction) =>
      transaction.select().from(conversations),
    );
    expect(own.map((row) => row.userId)).toEqual([alice]);
    const theirs = await withUser(databases.userdata, alice, (transaction) =>
      transaction.select().from(messages).where(eq(messages.userId, bob)),
    );
    expect(theirs).toEqual([]);
  });

  it("refuses to write a row for another user and cannot change another user's rows", async () => {
    await expect(
      withUser(databases.userdata, alice, (transaction) =>
        transaction.insert(conversations).values({ userId: bob, title: 'forged' }),
      ),
    ).rejects.toMatchObject({
      cause: { code: '42501', message: expect.stringMatching(/row-level security/) },
    });
    const updated = await withUser(databases.userdata, alice, (transaction) =>
      transaction
        .update(userAiAgents)
        .set({ encryptedApiKey: 'stolen' })
        .where(eq(userAiAgents.userId, bob))
        .returning(),
    );
    expect(updated).toEqual([]);
    const bobs = await withUser(databases.userdata, bob, (transaction) =>
      transaction.select().from(userAiAgents),
    );
    expect(bobs.map((row) => row.encryptedApiKey)).toEqual([`v1.sealed-for-${bob}`]);
  });

  it('rejects a user id that is not a uuid before touching the database', async () => {
    await expect(withUser(databases.userdata, "x' or true --", () => Promise.resolve())).rejects.toThrow(
      /must be a uuid/,
    );
  });
});

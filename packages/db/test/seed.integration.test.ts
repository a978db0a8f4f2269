import { defaultProviderModels } from '@switchyard/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc } from '../src/index.js';
import { readMigrationFiles } from '../src/migration-files.js';
import { databaseLayouts } from '../src/layout.js';
import { apiProviderPricing, subscriptionPlans } from '../src/platform/index.js';
import { createTestDatabases, type TestDatabases } from '../src/testing/index.js';

let databases: TestDatabases;
beforeAll(async () => {
  databases = await createTestDatabases();
});
afterAll(async () => {
  await databases.drop();
});

async function planRows() {
  return databases.platform.db
    .select({
      name: subscriptionPlans.name,
      monthlyPrice: subscriptionPlans.monthlyPrice,
      yearlyPrice: subscriptionPlans.yearlyPrice,
      monthlyRequestLimit: subscriptionPlans.monthlyRequestLimit,
      monthlyCostCap: subscriptionPlans.monthlyCostCap,
    })
    .from(subscriptionPlans)
    .orderBy(asc(subscriptionPlans.sortOrder));
}

describe('seed data', () => {
  it('holds the four plans (0 = unlimited) and a price for every default model', async () => {
    expect(await planRows()).toEqual([
      { name: 'Free', monthlyPrice: 0, yearlyPrice: 0, monthlyRequestLimit: 100, monthlyCostCap: 0 },
      { name: 'Basic', monthlyPrice: 29, yearlyPrice: 290, monthlyRequestLimit: 0, monthlyCostCap: 45 },
      { name: 'Pro', monthlyPrice: 79, yearlyPrice: 790, monthlyRequestLimit: 5000, monthlyCostCap: 150 },
      {
        name: 'Enterprise',
        monthlyPrice: 199,
        yearlyPrice: 1990,
        monthlyRequestLimit: 0,
        monthlyCostCap: 500,
      },
    ]);
    const priced = await databases.platform.db.select().from(apiProviderPricing);
    for (const [provider, model] of Object.entries(defaultProviderModels)) {
      if (provider === 'openai-compatible') continue;
      expect(priced, `${provider}/${model}`).toContainEqual(expect.objectContaining({ provider, model }));
    }
  });

  it('changes nothing when applied again', async () => {
    const before = {
      plans: await planRows(),
      prices: await databases.platform.db.select().from(apiProviderPricing),
    };
    const seed = (await readMigrationFiles(databaseLayouts.platform.migrationsFolder)).find((file) =>
      file.name.includes('seed'),
    )!;
    for (const statement of seed.statements) await databases.platform.pool.query(statement);
    expect(await planRows()).toEqual(before.plans);
    expect(await databases.platform.db.select().from(apiProviderPricing)).toEqual(before.prices);
  });
});

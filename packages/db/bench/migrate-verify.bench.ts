// Times the startup path on one Postgres server: fresh migrate, no-op migrate and verify of both databases.
// Prints the median of 5 runs of each; the target is no-op migrate + verify of both databases under 300 ms.
import { databaseLayouts, databaseNames } from '../src/layout.js';
import { migrateDatabase } from '../src/migrator.js';
import { verifyDatabases } from '../src/prepare.js';
import { createTestDatabases, dropTestDatabases, uniqueDatabaseName } from '../src/testing/index.js';

const serverUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
const runs = 5;

function urlOf(database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

async function migrateBoth(config: { platformUrl: string; userdataUrl: string }) {
  await Promise.all(
    databaseNames.map((name) =>
      migrateDatabase(name === 'platform' ? config.platformUrl : config.userdataUrl, databaseLayouts[name]),
    ),
  );
}

const samples = {
  fresh: [] as number[],
  noop: [] as number[],
  verify: [] as number[],
  noopAndVerify: [] as number[],
  clone: [] as number[],
};

// Warm-up: module loading and the first connection are not what a restart pays for.
const warm = await createTestDatabases();
await warm.drop();

for (let run = 0; run < runs; run += 1) {
  const names = [uniqueDatabaseName('platform'), uniqueDatabaseName('userdata')] as const;
  const config = { platformUrl: urlOf(names[0]), userdataUrl: urlOf(names[1]) };
  try {
    samples.fresh.push(await time(() => migrateBoth(config)));
    samples.noop.push(await time(() => migrateBoth(config)));
    samples.verify.push(await time(() => verifyDatabases(config)));
    samples.noopAndVerify.push(
      await time(async () => {
        await migrateBoth(config);
        const report = await verifyDatabases(config);
        if (report.status !== 'ok') throw new Error(`unexpected drift: ${report.status}`);
      }),
    );
  } finally {
    await dropTestDatabases(serverUrl, [...names]);
  }
  let cloned: Awaited<ReturnType<typeof createTestDatabases>> | undefined;
  samples.clone.push(await time(async () => (cloned = await createTestDatabases())));
  await cloned?.drop();
}

const rows: [string, number[]][] = [
  ['fresh migrate, both databases (create + all migrations)', samples.fresh],
  ['no-op migrate, both databases', samples.noop],
  ['verify, both databases', samples.verify],
  ['no-op migrate + verify, both databases (target < 300 ms)', samples.noopAndVerify],
  ['createTestDatabases (clone from template)', samples.clone],
];
console.log(`median of ${runs} runs`);
for (const [label, values] of rows) {
  console.log(
    `${label.padEnd(60)} ${median(values).toFixed(1).padStart(8)} ms   (runs: ${values.map((value) => value.toFixed(0)).join(', ')})`,
  );
}
const ratio = median(samples.noopAndVerify) / 300;
console.log(`no-op migrate + verify vs 300 ms target: ${(ratio * 100).toFixed(0)}% of budget`);

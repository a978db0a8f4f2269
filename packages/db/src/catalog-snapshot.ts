import pg from 'pg';
import { databaseLayouts, databaseNames } from './layout.js';
import {
  expectedCatalogPath,
  readSemanticCatalog,
  writeExpectedSemanticCatalog,
  type ExpectedSemanticCatalog,
} from './semantic-catalog.js';
import { createTestDatabases } from './testing/index.js';

/** Migrates scratch databases on `serverUrl` and reads back what Postgres deparses, per database. */
export async function snapshotSemanticCatalogs(
  serverUrl: string,
): Promise<Record<(typeof databaseNames)[number], ExpectedSemanticCatalog>> {
  const scratch = await createTestDatabases({ serverUrl, poolMax: 1 });
  try {
    const read = async (url: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await readSemanticCatalog(client);
      } finally {
        await client.end();
      }
    };
    return {
      platform: await read(scratch.config.platformUrl),
      userdata: await read(scratch.config.userdataUrl),
    };
  } finally {
    await scratch.drop();
  }
}

/** Writes `expected-catalog.json` beside each migrations folder; returns the paths written. */
export async function writeCatalogSnapshots(serverUrl: string): Promise<string[]> {
  const catalogs = await snapshotSemanticCatalogs(serverUrl);
  const paths: string[] = [];
  for (const name of databaseNames) {
    await writeExpectedSemanticCatalog(databaseLayouts[name].migrationsFolder, catalogs[name]);
    paths.push(expectedCatalogPath(databaseLayouts[name].migrationsFolder));
  }
  return paths;
}

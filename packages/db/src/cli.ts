import { databasesConfigSchema, loadConfigOrExit } from '@switchyard/config';
import { logsInAsApplicationRole } from './client.js';
import { applicationRole } from './layout.js';
import { maintenanceUrl, MigrationError } from './migrator.js';
import { MigrationFolderError } from './migration-files.js';
import { prepareDatabases, SchemaDriftError, verifyDatabases } from './prepare.js';
import { formatSchemaReport, type SchemaReport } from './schema-report.js';

// Exit codes of `db:migrate` and `db:verify`: 0 clean, 1 drift or refused migration, 2 cannot connect.
const exitCodes = { ok: 0, drift: 1, unreachable: 2 } as const;

const connectionErrorCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  '28P01',
  '28000',
  '3D000',
  '57P03',
]);

function print(report: SchemaReport, json: boolean): void {
  process.stdout.write(`${json ? JSON.stringify(report, null, 2) : formatSchemaReport(report)}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...flags] = argv;
  const json = flags.includes('--json');
  if (command === 'rotate-secrets') {
    // Exit 0 when every stored secret is under SECRETS_KEY, 1 when some could not be decrypted.
    const { runSecretRotation } = await import('./secret-rotation-cli.js');
    return runSecretRotation();
  }
  if (command !== 'migrate' && command !== 'verify' && command !== 'catalog') {
    process.stderr.write(
      'usage: cli.ts migrate|verify|catalog|rotate-secrets [--json]\n  exit 0 clean, 1 drift, 2 cannot connect\n',
    );
    return 64;
  }
  const { databases } = loadConfigOrExit({ databases: databasesConfigSchema });
  // Every command here runs as the owner (`*_DATABASE_OWNER_URL`, default the app URLs), never as the app role.
  const owner = { ...databases.owner, appPassword: databases.appPassword };
  if (command === 'catalog') {
    // Dev tool: migrates scratch databases on the platform server and commits what Postgres deparses.
    const { writeCatalogSnapshots } = await import('./catalog-snapshot.js');
    for (const path of await writeCatalogSnapshots(maintenanceUrl(owner.platformUrl)))
      process.stdout.write(`wrote ${path}\n`);
    return exitCodes.ok;
  }
  if (command === 'verify') {
    const report = await verifyDatabases(owner);
    print(report, json);
    return exitCodes[report.status];
  }
  if (logsInAsApplicationRole(owner.platformUrl) || logsInAsApplicationRole(owner.userdataUrl)) {
    process.stderr.write(
      `migration refused: the migrate step logs in as ${applicationRole}, which has no DDL; set PLATFORM_DATABASE_OWNER_URL and USERDATA_DATABASE_OWNER_URL to the owner's logins\n`,
    );
    return exitCodes.drift;
  }
  try {
    const report = await prepareDatabases(owner);
    if (!json) {
      for (const migration of report.migrations) {
        const created = migration.created ? ', created the database' : '';
        const applied = migration.applied.length > 0 ? migration.applied.join(', ') : 'nothing to apply';
        process.stdout.write(`${migration.database} (${migration.identity}): ${applied}${created}\n`);
      }
    }
    print(report, json);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof SchemaDriftError) {
      print(error.report, json);
      return exitCodes[error.report.status];
    }
    if (error instanceof MigrationError || error instanceof MigrationFolderError) {
      process.stderr.write(`migration refused: ${error.message}\n`);
      return exitCodes.drift;
    }
    const code = (error as { code?: string }).code;
    if (code && connectionErrorCodes.has(code)) {
      process.stderr.write(`cannot connect: ${code} ${(error as Error).message}\n`);
      return exitCodes.unreachable;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { databasesConfigSchema, parseConfig, readProcessEnv } from '@switchyard/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { logsInAsApplicationRole } from '../src/client.js';

const run = promisify(execFile);
const composeFile = fileURLToPath(new URL('../../../docker-compose.yml', import.meta.url));
const ownerPassword = 'owner-secret-for-compose-test';
const appPassword = 'app-secret-for-compose-test';

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

/** The compose file as docker-compose resolves it (interpolated, anchors merged); it exits non-zero if invalid. */
async function resolvedCompose(): Promise<{ services: Record<string, Service> }> {
  // CI installs Debian's docker-compose before the tests (.ci/run); `apt-get install docker-compose` locally.
  const { stdout } = await run('docker-compose', ['-f', composeFile, 'config'], {
    env: {
      PATH: readProcessEnv().PATH ?? '',
      POSTGRES_PASSWORD: ownerPassword,
      DATABASE_APP_PASSWORD: appPassword,
    },
  });
  return parse(stdout) as { services: Record<string, Service> };
}

const apps = ['chat-gateway', 'monitoring-worker'] as const;

describe('docker-compose.yml: migrations as the owner, apps as the application role', () => {
  it('validates (docker-compose config -q)', async () => {
    await expect(run('docker-compose', ['-f', composeFile, 'config', '-q'])).resolves.toBeDefined();
  });

  it('runs the migrate step once as the owner, setting the app role password, and the apps wait for it', async () => {
    const { services } = await resolvedCompose();
    const migrate = services.migrate!;
    expect(migrate.command).toEqual(['node', 'node_modules/@switchyard/db/dist/cli.js', 'migrate']);
    const { databases } = parseConfig({ databases: databasesConfigSchema }, migrate.environment ?? {});
    for (const url of Object.values(databases.owner)) {
      expect(new URL(url).username).toBe('postgres');
      expect(logsInAsApplicationRole(url)).toBe(false);
    }
    expect(databases.appPassword).toBe(appPassword);
    for (const app of apps) {
      expect(services[app]!.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
    }
  });

  it.each(apps)(
    '%s logs in to both databases as switchyard_app and holds no owner credentials',
    async (app) => {
      const { services } = await resolvedCompose();
      const environment = services[app]!.environment ?? {};
      const { databases } = parseConfig({ databases: databasesConfigSchema }, environment);
      for (const url of [databases.platformUrl, databases.userdataUrl]) {
        expect(logsInAsApplicationRole(url)).toBe(true);
        expect(new URL(url).password).toBe(appPassword);
      }
      expect(Object.keys(environment).filter((name) => name.includes('OWNER'))).toEqual([]);
      expect(JSON.stringify(environment)).not.toContain(ownerPassword);
    },
  );
});

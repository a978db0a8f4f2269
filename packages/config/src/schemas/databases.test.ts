import { describe, expect, it } from 'vitest';
import { workerAppConfig } from '../apps.js';
import { ConfigError, parseConfig } from '../load.js';
import { databasesConfigSchema } from './databases.js';

describe('database logins', () => {
  it('migrates over the login URLs unless owner URLs are given (local development stays one command)', () => {
    const { databases } = parseConfig({ databases: databasesConfigSchema }, {});
    expect(databases.owner).toEqual({
      platformUrl: databases.platformUrl,
      userdataUrl: databases.userdataUrl,
    });
  });

  it('keeps the owner URLs of the migrate step apart from the apps’ logins', () => {
    const { databases } = parseConfig(
      { databases: databasesConfigSchema },
      {
        PLATFORM_DATABASE_URL: 'postgres://switchyard_app:app@db:5432/platform',
        USERDATA_DATABASE_URL: 'postgres://switchyard_app:app@db:5432/userdata',
        PLATFORM_DATABASE_OWNER_URL: 'postgres://postgres:owner@db:5432/platform',
        USERDATA_DATABASE_OWNER_URL: 'postgres://postgres:owner@db:5432/userdata',
      },
    );
    expect(databases.platformUrl).toBe('postgres://switchyard_app:app@db:5432/platform');
    expect(databases.owner).toEqual({
      platformUrl: 'postgres://postgres:owner@db:5432/platform',
      userdataUrl: 'postgres://postgres:owner@db:5432/userdata',
    });
  });

  it('refuses an owner URL that names another database than the login, naming the variable', () => {
    const parse = () =>
      parseConfig(
        { databases: databasesConfigSchema },
        {
          PLATFORM_DATABASE_URL: 'postgres://switchyard_app@db:5432/platform',
          PLATFORM_DATABASE_OWNER_URL: 'postgres://postgres@db:5432/other',
        },
      );
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/PLATFORM_DATABASE_OWNER_URL/);
  });
});

describe('worker statement timeout', () => {
  it('defaults to 60 s for the worker while request pools keep 5 s, and is configurable', () => {
    const defaults = parseConfig(workerAppConfig, {});
    expect(defaults.databases.workerTimeouts.statementMs).toBe(60_000);
    expect(defaults.databases.timeouts.statementMs).toBe(5_000);
    const set = parseConfig(workerAppConfig, { WORKER_DATABASE_STATEMENT_TIMEOUT_MS: '120000' });
    expect(set.databases.workerTimeouts).toEqual({
      connectMs: 2_000,
      statementMs: 120_000,
      idleInTransactionMs: 10_000,
    });
  });
});

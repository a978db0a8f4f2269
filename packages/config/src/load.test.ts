import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  databasesConfigSchema,
  gatewayConfigSchema,
  parseConfig,
  providersConfigSchema,
  workerConfigSchema,
} from './index.js';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('refuses both database URLs naming the same database, even spelled differently', () => {
    const problems = problemsOf(() =>
      parseConfig(
        { databases: databasesConfigSchema },
        {
          PLATFORM_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/app',
          USERDATA_DATABASE_URL: 'postgresql://other@localhost/app',
        },
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^USERDATA_DATABASE_URL: names the same database as PLATFORM_DATABASE_URL/),
    ]);
  });

  it('accepts two databases on one server', () => {
    const config = parseConfig({ databases: databasesConfigSchema }, {});
    expect(config.databases.platformUrl).toMatch(/\/platform$/);
    expect(config.databases.userdataUrl).toMatch(/\/userdata$/);
  });

  it('parses the fallback order and names an unknown provider', () => {
    const config = parseConfig(
      { providers: providersConfigSchema },
      { LLM_FALLBACK_ORDER: 'openai, groq', GROQ_API_KEY: 'gsk_12345678' },
    );
    expect(config.providers.fallbackOrder).toEqual(['openai', 'groq']);
    expect(config.providers.providers.groq.apiKey).toBe('gsk_12345678');
    expect(config.providers.providers.openai.apiKey).toBeUndefined();

    const problems = problemsOf(() =>
      parseConfig({ providers: providersConfigSchema }, { LLM_FALLBACK_ORDER: 'openai,mistral' }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^LLM_FALLBACK_ORDER\.1: each entry must be one of gemini, openai/),
    ]);
  });

  it('treats an empty variable as unset', () => {
    const config = parseConfig(
      { worker: workerConfigSchema },
      { WORKER_HEALTH_PORT: '', WEBSITE_FETCH_ALLOWLIST: 'a.test, b.test' },
    );
    expect(config.worker.healthPort).toBe(8001);
    expect(config.worker.websiteFetchAllowlist).toEqual(['a.test', 'b.test']);
  });

  it('binds the worker health server to loopback unless WORKER_HEALTH_HOST says otherwise', () => {
    expect(parseConfig({ worker: workerConfigSchema }, {}).worker.healthHost).toBe('127.0.0.1');
    const exposed = parseConfig({ worker: workerConfigSchema }, { WORKER_HEALTH_HOST: '0.0.0.0' });
    expect(exposed.worker.healthHost).toBe('0.0.0.0');
  });

  it('protects /metrics only in production and takes METRICS_TOKEN', () => {
    const adminKey = 'admin-key-0123456789';
    const production = parseConfig(
      { gateway: gatewayConfigSchema },
      { NODE_ENV: 'production', GATEWAY_ADMIN_KEY: adminKey, METRICS_TOKEN: 'metrics-token-0123456789' },
    );
    expect(production.gateway).toMatchObject({
      protectMetrics: true,
      metricsToken: 'metrics-token-0123456789',
    });
    expect(parseConfig({ gateway: gatewayConfigSchema }, {}).gateway.protectMetrics).toBe(false);
    expect(
      problemsOf(() => parseConfig({ gateway: gatewayConfigSchema }, { METRICS_TOKEN: 'short' })),
    ).toEqual(['METRICS_TOKEN: must be at least 16 characters']);
  });
});

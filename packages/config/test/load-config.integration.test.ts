import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readProcessEnv } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/print-gateway-config.ts', import.meta.url));

function runWithEnv(env: Record<string, string>) {
  // A clean environment, so the developer's own variables cannot change the outcome.
  const result = spawnSync(process.execPath, ['--import', 'tsx', fixture], {
    env: { PATH: readProcessEnv().PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('loadConfigOrExit in a real process', () => {
  it('exits 78 with one line naming REDIS_URL when it is not a redis URL, and no stack trace', () => {
    const result = runWithEnv({ REDIS_URL: 'http://not-redis:6379' });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });

  it('lists every problem at once and never echoes a value', () => {
    const result = runWithEnv({ REDIS_URL: 'nonsense-secret-value', PORT: 'eighty', NODE_ENV: 'production' });
    expect(result.status).toBe(78);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(lines).toEqual(
      expect.arrayContaining([
        '  - REDIS_URL: must be a redis:// or rediss:// URL',
        '  - PORT: must be a number',
        '  - SECRETS_KEY: is required when NODE_ENV=production (32 bytes, base64 or hex)',
        '  - GATEWAY_ADMIN_KEY: is required when NODE_ENV=production',
      ]),
    );
    expect(result.stderr).not.toContain('nonsense-secret-value');
  });

  it('starts with defaults on an empty environment', () => {
    const result = runWithEnv({});
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ redis: 'redis://127.0.0.1:6379', port: 8000 });
  });
});

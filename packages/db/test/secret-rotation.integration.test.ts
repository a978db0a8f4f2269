import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readProcessEnv } from '@switchyard/config';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox, type SecretBox } from '../src/secret-box.js';
import { secretContext } from '../src/secret-rotation.js';
import { createTestDatabases, type TestDatabases } from '../src/testing/index.js';
import { superuserQuery } from './helper.js';

let databases: TestDatabases;
beforeEach(async () => {
  databases = await createTestDatabases();
});
afterEach(async () => {
  await databases.drop();
});

const oldKey = randomBytes(32);
const newKey = randomBytes(32);

/** The previous release's format: `v1.<iv>.<tag>.<ciphertext>`, AAD `v1`, no key id, no context. */
function sealV1(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from('v1'));
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v1',
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    encrypted.toString('base64url'),
  ].join('.');
}

async function addUser(): Promise<string> {
  const id = randomUUID();
  await superuserQuery(databases.config.platformUrl, 'insert into users (id, email) values ($1, $2)', [
    id,
    `${id}@example.test`,
  ]);
  return id;
}

async function storeAgentKey(userId: string, value: string): Promise<void> {
  await superuserQuery(
    databases.config.userdataUrl,
    `insert into user_ai_agents (user_id, provider, encrypted_api_key) values ($1, 'openai', $2)`,
    [userId, value],
  );
}

async function storeTokens(userId: string, access: string, refresh: string | null): Promise<void> {
  await superuserQuery(
    databases.config.userdataUrl,
    `insert into oauth_connections (user_id, platform, encrypted_access_token, encrypted_refresh_token)
     values ($1, 'gsc', $2, $3)`,
    [userId, access, refresh],
  );
}

async function storedValues() {
  const agents = await superuserQuery<{ user_id: string; encrypted_api_key: string }>(
    databases.config.userdataUrl,
    'select user_id, encrypted_api_key from user_ai_agents',
  );
  const tokens = await superuserQuery<{
    user_id: string;
    encrypted_access_token: string;
    encrypted_refresh_token: string | null;
  }>(
    databases.config.userdataUrl,
    'select user_id, encrypted_access_token, encrypted_refresh_token from oauth_connections',
  );
  return { agents, tokens };
}

const rotate = async (env: Record<string, string>) => {
  const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  try {
    const { stdout } = await promisify(execFile)(
      tsx,
      ['--conditions=@switchyard/source', cli, 'rotate-secrets'],
      {
        env: {
          ...readProcessEnv(),
          PLATFORM_DATABASE_URL: databases.config.platformUrl,
          USERDATA_DATABASE_URL: databases.config.userdataUrl,
          ...env,
        },
      },
    );
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
};

describe('secrets:rotate', () => {
  it('re-encrypts v1 and previous-key values under the new key, idempotently, and all still decrypt', async () => {
    const oldBox: SecretBox = createSecretBox(oldKey);
    const alice = await addUser();
    const bob = await addUser();
    await storeAgentKey(alice, sealV1(oldKey, 'sk-alice'));
    await storeAgentKey(
      bob,
      oldBox.encrypt('sk-bob', secretContext('user_ai_agents', 'encrypted_api_key', bob)),
    );
    await storeTokens(
      bob,
      oldBox.encrypt('access-bob', secretContext('oauth_connections', 'encrypted_access_token', bob)),
      sealV1(oldKey, 'refresh-bob'),
    );

    const env = { SECRETS_KEY: newKey.toString('base64'), SECRETS_KEY_PREVIOUS: oldKey.toString('base64') };
    const first = await rotate(env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('4 re-encrypted, 0 already current, 0 undecryptable');

    const newBox = createSecretBox(newKey);
    const { agents, tokens } = await storedValues();
    for (const value of [
      ...agents.map((row) => row.encrypted_api_key),
      ...tokens.map((row) => row.encrypted_access_token),
    ])
      expect(newBox.isCurrent(value)).toBe(true);
    // Without SECRETS_KEY_PREVIOUS now: everything decrypts with the new key alone.
    const plaintexts = agents.map((row) =>
      newBox.decrypt(
        row.encrypted_api_key,
        secretContext('user_ai_agents', 'encrypted_api_key', row.user_id),
      ),
    );
    expect(plaintexts.sort()).toEqual(['sk-alice', 'sk-bob']);
    expect(
      newBox.decrypt(
        tokens[0]!.encrypted_access_token,
        secretContext('oauth_connections', 'encrypted_access_token', bob),
      ),
    ).toBe('access-bob');
    expect(
      newBox.decrypt(
        tokens[0]!.encrypted_refresh_token!,
        secretContext('oauth_connections', 'encrypted_refresh_token', bob),
      ),
    ).toBe('refresh-bob');

    const second = await rotate(env);
    expect(second.stdout).toContain('0 re-encrypted, 4 already current, 0 undecryptable');
    expect(await storedValues()).toEqual({ agents, tokens });
  }, 60_000);

  it('exits 1 and names the row when a value decrypts with no known key, leaving it untouched', async () => {
    const carol = await addUser();
    const foreign = createSecretBox(randomBytes(32)).encrypt(
      'sk-carol',
      secretContext('user_ai_agents', 'encrypted_api_key', carol),
    );
    await storeAgentKey(carol, foreign);
    const result = await rotate({ SECRETS_KEY: newKey.toString('base64') });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/cannot decrypt user_ai_agents\.encrypted_api_key of row [0-9a-f-]{36}/);
    expect(result.stdout).not.toContain('sk-carol');
    expect((await storedValues()).agents[0]!.encrypted_api_key).toBe(foreign);
  }, 60_000);
});

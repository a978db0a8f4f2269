import { databasesConfigSchema, loadConfigOrExit, secretsConfigSchema } from '@switchyard/config';
import pg from 'pg';
import { createSecretBox } from './secret-box.js';
import { rotateSecrets } from './secret-rotation.js';

/** `pnpm secrets:rotate`: re-encrypts stored secrets under SECRETS_KEY; prints counts, never values. */
export async function runSecretRotation(): Promise<number> {
  const { databases, secrets } = loadConfigOrExit({
    databases: databasesConfigSchema,
    secrets: secretsConfigSchema,
  });
  const box = createSecretBox(secrets.key, secrets.previousKeys);
  const platform = new pg.Client({ connectionString: databases.platformUrl });
  const userdata = new pg.Client({ connectionString: databases.userdataUrl });
  await Promise.all([platform.connect(), userdata.connect()]);
  try {
    const result = await rotateSecrets({ platform, userdata, box });
    process.stdout.write(
      `secrets:rotate (key ${box.keyId}): ${result.users} user(s), ${result.rotated} re-encrypted, ${result.current} already current, ${result.failed.length} undecryptable\n`,
    );
    for (const failed of result.failed) {
      process.stdout.write(
        `  cannot decrypt ${failed.table}.${failed.column} of row ${failed.id}: add its key to SECRETS_KEY_PREVIOUS\n`,
      );
    }
    return result.failed.length > 0 ? 1 : 0;
  } finally {
    await Promise.all([platform.end(), userdata.end()]);
  }
}

import type pg from 'pg';
import type { SecretBox, SecretContext } from './secret-box.js';

/** Every column holding a secret box value; all live in userdata tables keyed by `user_id`. */
export const storedSecretColumns = [
  { table: 'user_ai_agents', column: 'encrypted_api_key' },
  { table: 'oauth_connections', column: 'encrypted_access_token' },
  { table: 'oauth_connections', column: 'encrypted_refresh_token' },
] as const;

/** The context a stored secret is sealed with: its table, column and owning user. */
export function secretContext(
  table: (typeof storedSecretColumns)[number]['table'],
  column: string,
  owner: string,
): SecretContext {
  return { table, column, owner };
}

/** What one rotation run did. `failed` values could not be decrypted with any known key and were left as is. */
export interface RotationResult {
  users: number;
  rotated: number;
  current: number;
  failed: { table: string; column: string; id: string }[];
}

/** Options of `rotateSecrets`. */
export interface RotateSecretsOptions {
  /** Platform connection: the user ids to visit come from `users`. */
  platform: Pick<pg.ClientBase, 'query'>;
  /** A dedicated userdata connection (transactions are opened on it). */
  userdata: Pick<pg.ClientBase, 'query'>;
  box: SecretBox;
  /** Users per batch read from platform (default 100). */
  batchSize?: number;
}

/**
 * Re-encrypts every stored secret that is not under the current key (v1, or v2 under a previous key), user by
 * user in one transaction each, inside that user's row-level-security scope: the same rules as the apps, so it
 * works with the application role. Idempotent: current values are skipped, and an update only lands if the
 * value is still the one read (a concurrent writer wins).
 */
export async function rotateSecrets(options: RotateSecretsOptions): Promise<RotationResult> {
  const { platform, userdata, box } = options;
  const batchSize = options.batchSize ?? 100;
  const result: RotationResult = { users: 0, rotated: 0, current: 0, failed: [] };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const users = await platform.query<{ id: string }>(
      'select id::text as id from users where id > $1::uuid order by id limit $2',
      [after, batchSize],
    );
    if (users.rows.length === 0) return result;
    for (const { id: owner } of users.rows) {
      result.users += 1;
      await userdata.query('begin');
      try {
        await userdata.query(`select set_config('app.current_user_id', $1, true)`, [owner]);
        for (const { table, column } of storedSecretColumns) {
          const rows = await userdata.query<{ id: string; value: string }>(
            `select id::text as id, ${column} as value from ${table} where user_id = $1 and ${column} is not null`,
            [owner],
          );
          for (const row of rows.rows) {
            if (box.isCurrent(row.value)) {
              result.current += 1;
              continue;
            }
            const context = secretContext(table, column, owner);
            let plaintext: string;
            try {
              plaintext = box.decrypt(row.value, context);
            } catch {
              result.failed.push({ table, column, id: row.id });
              continue;
            }
            const updated = await userdata.query(
              `update ${table} set ${column} = $1 where id = $2::uuid and ${column} = $3`,
              [box.encrypt(plaintext, context), row.id, row.value],
            );
            result.rotated += updated.rowCount ?? 0;
          }
        }
        await userdata.query('commit');
      } catch (error) {
        await userdata.query('rollback').catch(() => undefined);
        throw error;
      }
    }
    after = users.rows[users.rows.length - 1]!.id;
  }
}

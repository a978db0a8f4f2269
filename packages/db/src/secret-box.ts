import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Where a secret is stored: its table, column and the row's owner (user id). It is authenticated as associated
 * data, so a ciphertext copied to another column, table or user's row does not decrypt.
 */
export interface SecretContext {
  table: string;
  column: string;
  owner: string;
}

/** Encrypts and decrypts short secrets (provider keys, OAuth tokens) for storage. */
export interface SecretBox {
  /** Id of the current key: 8 hex characters of a hash of it, never the key. */
  readonly keyId: string;
  /** Returns `v2.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts) under the current key; a fresh IV each call. */
  encrypt(plaintext: string, context: SecretContext): string;
  /**
   * Returns the plaintext of a v2 value (current or previous key, same context) or a legacy v1 value (any
   * known key); throws `SecretBoxError` when the value was made with an unknown key, elsewhere, or altered.
   */
  decrypt(ciphertext: string, context: SecretContext): string;
  /** False when `secrets:rotate` should re-encrypt the value (v1, or v2 under a previous key). */
  isCurrent(ciphertext: string): boolean;
}

/** A value that cannot be decrypted. The message never contains the value or the key. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const algorithm = 'aes-256-gcm';
const ivBytes = 12;
const tagBytes = 16;

/** The key id stored in v2 values: a domain-separated hash, so it reveals nothing usable about the key. */
export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update('switchyard-secret-box-key-id:').update(key).digest('hex').slice(0, 8);
}

function associatedData(keyId: string, context: SecretContext): Buffer {
  // JSON keeps the parts unambiguous whatever characters they hold.
  return Buffer.from(JSON.stringify(['v2', keyId, context.table, context.column, context.owner]));
}

function seal(key: Buffer, aad: Buffer, plaintext: string): Buffer[] {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv(algorithm, key, iv, { authTagLength: tagBytes });
  cipher.setAAD(aad);
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), encrypted];
}

function open(key: Buffer, aad: Buffer, parts: string[]): string {
  const [iv, tag, encrypted] = parts.map((part) => Buffer.from(part, 'base64url')) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  if (iv.length !== ivBytes || tag.length !== tagBytes)
    throw new SecretBoxError('malformed secret box value');
  try {
    const decipher = createDecipheriv(algorithm, key, iv, { authTagLength: tagBytes });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(encrypted), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError(
      'secret box value does not decrypt with this key and place (wrong key, moved or tampered value)',
    );
  }
}

function checkedKey(key: Buffer): Buffer {
  if (key.length !== 32) throw new SecretBoxError(`secret box key must be 32 bytes, got ${key.length}`);
  return Buffer.from(key);
}

/**
 * AES-256-GCM secret box over the current 32-byte key (`SecretsConfig.key`) and any previous keys
 * (`SecretsConfig.previousKeys`, from `SECRETS_KEY_PREVIOUS`) that old values may still be sealed with.
 */
export function createSecretBox(key: Buffer, previousKeys: readonly Buffer[] = []): SecretBox {
  const current = checkedKey(key);
  const keyId = secretKeyId(current);
  const keys = new Map<string, Buffer>([[keyId, current]]);
  for (const previous of previousKeys) {
    const checked = checkedKey(previous);
    if (!keys.has(secretKeyId(checked))) keys.set(secretKeyId(checked), checked);
  }
  return {
    keyId,
    encrypt(plaintext, context) {
      const parts = seal(current, associatedData(keyId, context), plaintext);
      return ['v2', keyId, ...parts.map((part) => part.toString('base64url'))].join('.');
    },
    decrypt(ciphertext, context) {
      const parts = ciphertext.split('.');
      if (parts.length === 5 && parts[0] === 'v2') {
        const sealedWith = keys.get(parts[1]!);
        if (!sealedWith) {
          throw new SecretBoxError(
            `secret box value was sealed with key ${parts[1]}, which is neither SECRETS_KEY nor in SECRETS_KEY_PREVIOUS`,
          );
        }
        return open(sealedWith, associatedData(parts[1]!, context), parts.slice(2));
      }
      if (parts.length === 4 && parts[0] === 'v1') {
        // Legacy format: only the version was authenticated and no key id was stored, so try every key.
        for (const candidate of keys.values()) {
          try {
            return open(candidate, Buffer.from('v1'), parts.slice(1));
          } catch (error) {
            if ((error as Error).message === 'malformed secret box value') throw error;
          }
        }
        throw new SecretBoxError('secret box value does not decrypt with any known key (v1 value)');
      }
      throw new SecretBoxError('not a secret box value');
    },
    isCurrent(ciphertext) {
      return ciphertext.startsWith(`v2.${keyId}.`);
    },
  };
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Encrypts and decrypts short secrets (provider keys, OAuth tokens) for storage. */
export interface SecretBox {
  /** Returns `v1.<iv>.<tag>.<ciphertext>` (base64url parts); a fresh random IV each call. */
  encrypt(plaintext: string): string;
  /** Returns the plaintext; throws `SecretBoxError` when the value was not made with this key or was altered. */
  decrypt(ciphertext: string): string;
}

/** A value that cannot be decrypted. The message never contains the value or the key. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const version = 'v1';
const algorithm = 'aes-256-gcm';
const ivBytes = 12;
const tagBytes = 16;

/** AES-256-GCM secret box over a 32-byte key (`SecretsConfig.key` from @switchyard/config). */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new SecretBoxError(`secret box key must be 32 bytes, got ${key.length}`);
  const secretKey = Buffer.from(key);
  return {
    encrypt(plaintext) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv(algorithm, secretKey, iv, { authTagLength: tagBytes });
      // The version is authenticated too, so a value cannot be relabelled as another format.
      cipher.setAAD(Buffer.from(version));
      const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [version, iv, cipher.getAuthTag(), encrypted]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    decrypt(ciphertext) {
      const parts = ciphertext.split('.');
      if (parts.length !== 4 || parts[0] !== version) throw new SecretBoxError('not a v1 secret box value');
      const [iv, tag, encrypted] = parts.slice(1).map((part) => Buffer.from(part, 'base64url')) as [
        Buffer,
        Buffer,
        Buffer,
      ];
      if (iv.length !== ivBytes || tag.length !== tagBytes)
        throw new SecretBoxError('malformed secret box value');
      try {
        const decipher = createDecipheriv(algorithm, secretKey, iv, { authTagLength: tagBytes });
        decipher.setAAD(Buffer.from(version));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(encrypted), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError(
          'secret box value does not decrypt with this key (wrong key or tampered value)',
        );
      }
    },
  };
}

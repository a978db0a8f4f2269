import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretBoxError, secretKeyId } from './secret-box.js';

const here = {
  table: 'user_ai_agents',
  column: 'encrypted_api_key',
  owner: '7d1f4a52-0000-4000-8000-000000000001',
};

/** A value in the format the previous release stored: `v1.<iv>.<tag>.<ciphertext>`, AAD `v1` only. */
function sealV1(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from('v1'));
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), encrypted]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

describe('createSecretBox', () => {
  const key = randomBytes(32);
  const box = createSecretBox(key);

  it('round-trips a secret, labels it with the key id and never stores it in the clear', () => {
    const secret = 'sk-live-0123456789abcdef';
    const sealed = box.encrypt(secret, here);
    expect(sealed).toMatch(new RegExp(`^v2\\.${secretKeyId(key)}\\.[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    expect(box.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(sealed).not.toContain(secret);
    expect(box.decrypt(sealed, here)).toBe(secret);
    expect(box.isCurrent(sealed)).toBe(true);
  });

  it('uses a fresh IV each time, so equal secrets do not look equal', () => {
    expect(box.encrypt('same', here)).not.toBe(box.encrypt('same', here));
  });

  it('refuses a ciphertext moved to another user, column or table', () => {
    const sealed = box.encrypt('sk-of-user-one', here);
    for (const elsewhere of [
      { ...here, owner: '7d1f4a52-0000-4000-8000-000000000002' },
      { ...here, column: 'encrypted_refresh_token' },
      { ...here, table: 'oauth_connections' },
    ]) {
      expect(() => box.decrypt(sealed, elsewhere)).toThrow(/moved or tampered/);
    }
  });

  it('refuses a tampered value and a value sealed with an unknown key, without echoing either', () => {
    const sealed = box.encrypt('refresh-token-value', here);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = body[0]! ^ 1;
    const tampered = [...parts.slice(0, 4), body.toString('base64url')].join('.');
    expect(() => box.decrypt(tampered, here)).toThrow(SecretBoxError);
    expect(() => createSecretBox(randomBytes(32)).decrypt(sealed, here)).toThrow(/SECRETS_KEY_PREVIOUS/);
    expect(() => box.decrypt('plain-text-token', here)).toThrow(SecretBoxError);
    try {
      box.decrypt(tampered, here);
    } catch (error) {
      expect((error as Error).message).not.toContain(parts[4]);
    }
  });

  it('keeps values sealed with a previous key, and legacy v1 values, readable but not current', () => {
    const next = createSecretBox(randomBytes(32), [key]);
    const old = box.encrypt('sealed-before-rotation', here);
    expect(next.decrypt(old, here)).toBe('sealed-before-rotation');
    expect(next.isCurrent(old)).toBe(false);
    const legacy = sealV1(key, 'sealed-by-v1');
    expect(box.decrypt(legacy, here)).toBe('sealed-by-v1');
    expect(next.decrypt(legacy, here)).toBe('sealed-by-v1');
    expect(next.isCurrent(legacy)).toBe(false);
    expect(() => createSecretBox(randomBytes(32)).decrypt(legacy, here)).toThrow(/any known key/);
  });

  it('rejects a key that is not 32 bytes', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
    expect(() => createSecretBox(randomBytes(32), [randomBytes(31)])).toThrow(/32 bytes/);
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretBoxError } from './secret-box.js';

describe('createSecretBox', () => {
  const box = createSecretBox(randomBytes(32));

  it('round-trips a secret and never stores it in the clear', () => {
    const secret = 'sk-live-0123456789abcdef';
    const sealed = box.encrypt(secret);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(secret);
    expect(box.decrypt(sealed)).toBe(secret);
  });

  it('uses a fresh IV each time, so equal secrets do not look equal', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('refuses a tampered value and a value sealed with another key, without echoing either', () => {
    const sealed = box.encrypt('refresh-token-value');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    const tampered = [...parts.slice(0, 3), body.toString('base64url')].join('.');
    expect(() => box.decrypt(tampered)).toThrow(SecretBoxError);
    expect(() => createSecretBox(randomBytes(32)).decrypt(sealed)).toThrow(/wrong key or tampered/);
    expect(() => box.decrypt('plain-text-token')).toThrow(SecretBoxError);
    try {
      box.decrypt(tampered);
    } catch (error) {
      expect((error as Error).message).not.toContain(parts[3]);
    }
  });

  it('rejects a key that is not 32 bytes', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});

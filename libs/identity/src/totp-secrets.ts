import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

/**
 * TOTP secrets at rest: AES-256-GCM under a key kept outside the database (TOTP_ENCRYPTION_KEY, or a key generated
 * into the data directory). A stolen database dump alone no longer yields anyone's second factor. A value without
 * the prefix is a secret stored in clear before this change; it is still read, and re-encrypted at next use.
 */
export class TotpSecrets {
  private readonly key: Buffer;

  constructor(keyMaterial: string) {
    // Any length of key material becomes a 256-bit key.
    this.key = createHash('sha256').update(keyMaterial, 'utf8').digest();
  }

  encrypt(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  decrypt(stored: string): string {
    if (!this.isEncrypted(stored)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  isEncrypted(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }
}

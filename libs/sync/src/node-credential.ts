import { createHash, randomBytes } from 'node:crypto';

/** SHA-256 (hex) of a secret: enrolment codes and node credentials are stored only this way. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** 256-bit node credential. */
export function newCredential(): string {
  return randomBytes(32).toString('base64url');
}

/** An enrolment code a person can type: 4 groups of 5 characters (about 100 bits). */
export function newEnrolmentCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  let code = '';
  for (let i = 0; i < 20; i++) code += alphabet[bytes[i] % alphabet.length] + (i % 5 === 4 && i < 19 ? '-' : '');
  return code;
}

/** `Authorization: Node <credential>` → the credential. */
export function nodeCredentialOf(header: string | undefined): string | null {
  const match = header?.match(/^Node\s+(\S+)$/i);
  return match ? match[1] : null;
}

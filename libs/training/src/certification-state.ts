import { CertificateStatus, CertificationState, EXPIRY_WARNING_DAYS } from '@hub/contracts';

const DAY = 86_400_000;

export interface CertLike {
  id: string;
  issuedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}
export interface WaiverLike {
  id: string;
  startsAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export function certificateStatus(c: CertLike, now: Date): CertificateStatus {
  if (c.revokedAt) return 'revoked';
  return c.expiresAt > now ? 'valid' : 'expired';
}

export function isValidCertificate(c: CertLike, now: Date): boolean {
  return certificateStatus(c, now) === 'valid';
}

export function isActiveWaiver(w: WaiverLike, now: Date): boolean {
  return !w.revokedAt && w.startsAt <= now && w.expiresAt > now;
}

export interface KindState {
  state: CertificationState;
  valid: boolean;
  expiresAt: Date | null;
  certificateId: string | null;
  waiverId: string | null;
}

/**
 * One person's standing for one certification kind: the longest-valid certificate decides (expiring when it ends
 * within 30 days); else an active waiver; else the newest certificate says expired or revoked; else missing.
 */
export function kindState(certs: CertLike[], waivers: WaiverLike[], now: Date): KindState {
  const valid = certs.filter((c) => isValidCertificate(c, now)).sort((a, b) => b.expiresAt.getTime() - a.expiresAt.getTime());
  if (valid.length) {
    const best = valid[0];
    const expiring = best.expiresAt.getTime() - now.getTime() <= EXPIRY_WARNING_DAYS * DAY;
    return { state: expiring ? 'expiring' : 'certified', valid: true, expiresAt: best.expiresAt, certificateId: best.id, waiverId: null };
  }
  const waiver = waivers.filter((w) => isActiveWaiver(w, now)).sort((a, b) => b.expiresAt.getTime() - a.expiresAt.getTime())[0];
  if (waiver) return { state: 'waived', valid: true, expiresAt: waiver.expiresAt, certificateId: null, waiverId: waiver.id };
  const latest = [...certs].sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime())[0];
  if (latest) {
    return { state: certificateStatus(latest, now) === 'revoked' ? 'revoked' : 'expired', valid: false, expiresAt: latest.expiresAt, certificateId: latest.id, waiverId: null };
  }
  return { state: 'missing', valid: false, expiresAt: null, certificateId: null, waiverId: null };
}

import { CERTIFICATION_LABELS, CertificationKind } from '@hub/contracts';
import { DomainException, ErrorCode } from '@hub/common';
import { Action, SubjectName } from './permissions';
import { Principal } from './principal';

/**
 * Actions that need a valid certification on top of the role. The ability factory leaves these rules out for a
 * caller without the certification; AbilityFactory.missingCertification() tells whether the certification is what
 * is missing (the role would allow the action with it), and certificationRequired() explains the refusal.
 */
export const CERTIFICATION_GATES: { action: Action; subject: SubjectName; kind: CertificationKind }[] = [
  { action: Action.Refer, subject: 'Case', kind: 'telemedicine_user' },
  { action: Action.Consult, subject: 'Case', kind: 'telemedicine_consultant' },
  { action: Action.Create, subject: 'SignOff', kind: 'trainer' },
];

export function hasCertification(principal: Principal, kind: CertificationKind): boolean {
  return principal.certifications.includes(kind);
}

/** The missions where the certification applies ('all' for a certificate), or null when the caller lacks it. */
export function certifiedMissions(principal: Principal, kind: CertificationKind): 'all' | string[] | null {
  if (!hasCertification(principal, kind)) return null;
  return principal.certificationScope?.[kind] ?? 'all';
}

/** A certification valid now, with the mission that bounds it (a waiver's) or null (a certificate: everywhere). */
export interface ValidCertification {
  kind: CertificationKind;
  missionId: string | null;
}

/** The principal's `certifications` and `certificationScope` from the valid certificates and waivers. */
export function certificationsOf(valid: ValidCertification[]): Pick<Principal, 'certifications' | 'certificationScope'> {
  const scope: Partial<Record<CertificationKind, 'all' | string[]>> = {};
  for (const v of valid) {
    const current = scope[v.kind];
    if (v.missionId === null || current === 'all') scope[v.kind] = 'all';
    else scope[v.kind] = [...new Set([...(current ?? []), v.missionId])];
  }
  return { certifications: (Object.keys(scope) as CertificationKind[]).sort(), certificationScope: scope };
}

export interface CertificationCourse {
  id: string;
  title: string;
  language: string;
}

/**
 * Where certifications come from (the training module provides it). The principal resolver asks it for the
 * caller's valid kinds on every request; the guard asks it which courses to name in a refusal.
 */
export interface CertificationDirectory {
  /** Every certificate (missionId null) and waiver (its mission) valid now, or at the instant given. */
  valid(userId: string, at?: Date): Promise<ValidCertification[]>;
  /** The next instant the valid certifications change by time alone (a certificate or waiver starts or ends), if any. */
  nextChange?(userId: string): Promise<Date | null>;
  coursesFor(principal: Principal, kind: CertificationKind): Promise<CertificationCourse[]>;
}
export const CERTIFICATION_DIRECTORY = Symbol('CERTIFICATION_DIRECTORY');

/** 403 CERTIFICATION_REQUIRED naming the certification and the courses that give it. */
export function certificationRequired(kind: CertificationKind, courses: CertificationCourse[], what: string): DomainException {
  const label = CERTIFICATION_LABELS[kind];
  const take = courses.length ? `; take the course "${courses[0].title}"` : '; ask a trainer of your mission';
  return new DomainException(
    ErrorCode.CertificationRequired,
    `${what} requires a valid "${label}" certification${take}`,
    undefined,
    { certification: { kind, label, courses } },
  );
}

import { CERTIFICATION_LABELS, CertificationKind, Role } from '@hub/contracts';
import { DomainException, ErrorCode } from '@hub/common';
import { Action, SubjectName } from './permissions';
import { Principal } from './principal';

/**
 * Actions that need a valid certification on top of the role. The ability factory leaves these rules out for a
 * caller without the certification, and the guard (or a service) explains the refusal with certificationRequired().
 * `role`: the gate applies to holders of that role (any caller when absent).
 */
export const CERTIFICATION_GATES: { action: Action; subject: SubjectName; kind: CertificationKind; role?: Role }[] = [
  { action: Action.Refer, subject: 'Case', kind: 'telemedicine_user', role: Role.FieldMedicalOfficer },
  { action: Action.Consult, subject: 'Case', kind: 'telemedicine_consultant', role: Role.ReferenceDoctor },
  { action: Action.Create, subject: 'SignOff', kind: 'trainer' },
];

export function hasCertification(principal: Principal, kind: CertificationKind): boolean {
  return principal.certifications.includes(kind);
}

/** The certification the caller lacks for this action, if a gate explains a refusal. */
export function missingCertification(principal: Principal, action: Action, subject: SubjectName): CertificationKind | null {
  for (const gate of CERTIFICATION_GATES) {
    if (gate.action !== action || gate.subject !== subject || hasCertification(principal, gate.kind)) continue;
    if (!gate.role || principal.memberships.some((m) => m.role === gate.role)) return gate.kind;
  }
  return null;
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
  validKinds(userId: string): Promise<CertificationKind[]>;
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

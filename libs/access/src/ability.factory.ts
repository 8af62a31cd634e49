import { AbilityBuilder, createMongoAbility, detectSubjectType, MongoAbility, subject as asSubject } from '@casl/ability';
import type { CertificationKind } from '@hub/contracts';
import { Injectable } from '@nestjs/common';
import { CERTIFICATION_GATES, certifiedMissions } from './certification';
import { AttachmentPolicy } from './policies/attachment.policy';
import { CasePolicy, PatientPolicy } from './policies/case.policy';
import { FieldNodePolicy } from './policies/field-node.policy';
import { NotificationPolicy } from './policies/notification.policy';
import { TRAINING_POLICIES } from './policies/training.policy';
import { ConsultationPolicy } from './policies/consultation.policy';
import { applyPolicy, SubjectPolicy } from './policy/subject-policy';
import { Action, CLINICAL_SUBJECTS, MISSION_FIELD, ROLE_GRANTS, SELF_GRANTS, SubjectName } from './permissions';
import { Principal } from './principal';

export type AppAbility = MongoAbility<[Action | string, SubjectName | 'all' | Record<string, unknown>]>;

/** A record tagged with its subject type, as CASL needs to check conditions on it. */
export function subjectOf(type: SubjectName, record: object): Record<string, unknown> {
  return asSubject(type, record as Record<string, unknown>);
}

/** The per-subject policies of patient data (reached through clinical memberships only). */
const CLINICAL_POLICIES: SubjectPolicy[] = [CasePolicy, PatientPolicy, ConsultationPolicy, AttachmentPolicy];

/**
 * Subjects decided by their per-subject policy (policies/*.policy.ts) rather than by the role grants directly: their
 * rules (those built from ROLE_GRANTS included) come only from the policy, which also compiles them to SQL.
 */
const OTHER_POLICIES: SubjectPolicy[] = [...TRAINING_POLICIES, NotificationPolicy, FieldNodePolicy];
const POLICY_SUBJECTS = new Set<SubjectName>(OTHER_POLICIES.map((p) => p.subject));

const SUBJECTS: SubjectName[] = (Object.keys(MISSION_FIELD) as SubjectName[]).filter((s) => !CLINICAL_SUBJECTS.includes(s));

@Injectable()
export class AbilityFactory {
  /** Abilities of cached principals (the resolver reuses one Principal object until the user changes). */
  private readonly built = new WeakMap<Principal, AppAbility>();

  /** The caller's ability from their memberships, built once per principal object. */
  createFor(principal: Principal): AppAbility {
    let ability = this.built.get(principal);
    if (!ability) this.built.set(principal, (ability = this.build(principal)));
    return ability;
  }

  private build(principal: Principal): AppAbility {
    const { can, cannot, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
    for (const grant of SELF_GRANTS) can(grant.action, grant.subject, { id: principal.userId });

    for (const m of principal.memberships) {
      for (const grant of ROLE_GRANTS[m.role] ?? []) {
        const subjects = grant.subject === 'all' ? SUBJECTS : [grant.subject];
        if (grant.scope === 'all') {
          can(grant.action, grant.subject);
          continue;
        }
        for (const s of subjects) {
          if (POLICY_SUBJECTS.has(s)) continue;
          if (grant.scope === 'self') can(grant.action, s, { id: principal.userId });
          else can(grant.action, s, { [MISSION_FIELD[s]]: { $in: m.missionIds } });
        }
      }
    }

    // Patient data is reached through clinical memberships only; "manage all" of a system administrator excludes it.
    for (const s of CLINICAL_SUBJECTS) cannot(Action.Manage, s);
    // Cases, patients, consultations and attachments: their policies (policies/*.policy.ts) are the only source of
    // these rules; the same rules compile to the SQL of every list of them (AccessScope).
    for (const policy of CLINICAL_POLICIES) applyPolicy({ can, cannot }, policy, principal);

    // Training, notifications, field nodes: their policies, compiled to SQL by the same rules (AccessScope).
    for (const policy of OTHER_POLICIES) applyPolicy({ can, cannot }, policy, principal);

    // A record reaching missions beyond the caller's (e.g. staff of a Level 4 hospital serving several missions)
    // may be read by each mission's administrator but changed only by someone who holds all of them.
    if (!this.isSystemAdmin(principal)) {
      const held = missionsOf(principal);
      // (Training records: the `shared-holder` rule of their policy.)
      for (const s of ['User', 'Membership', 'Facility'] as SubjectName[]) {
        cannot([Action.Update, Action.Delete], s, { [MISSION_FIELD[s]]: { $elemMatch: { $nin: held } } });
      }
      // Nobody changes a user holding a role they could not grant themselves: only a system administrator changes
      // (password, deactivation, memberships) a system administrator, whatever other memberships that user holds.
      cannot([Action.Update, Action.Delete], 'User', { memberships: { $elemMatch: { role: 'system_admin' } } });
    }
    return build();
  }

  /**
   * The certification whose absence explains a refusal: the caller lacks it, and with it their roles would allow
   * the action (on the subject type, or on this record). Null when the refusal has another cause.
   */
  missingCertification(principal: Principal, action: Action, subject: SubjectName | Record<string, unknown>): CertificationKind | null {
    const type = typeof subject === 'string' ? subject : detectSubjectType(subject);
    for (const gate of CERTIFICATION_GATES) {
      if (gate.action !== action || gate.subject !== type) continue;
      // Held somewhere but not where this record lies (a waiver of another mission) counts as missing.
      const held = certifiedMissions(principal, gate.kind);
      if (held === 'all' || (held && typeof subject === 'string')) continue;
      const certified = this.createFor({
        ...principal,
        certifications: [...new Set([...principal.certifications, gate.kind])],
        certificationScope: { ...principal.certificationScope, [gate.kind]: 'all' },
      });
      if (certified.can(action, subject as SubjectName)) return gate.kind;
    }
    return null;
  }

  isSystemAdmin(principal: Principal): boolean {
    return principal.memberships.some((m) => m.role === 'system_admin');
  }
}

export function missionsOf(principal: Principal): string[] {
  return [...new Set(principal.memberships.flatMap((m) => m.missionIds))];
}

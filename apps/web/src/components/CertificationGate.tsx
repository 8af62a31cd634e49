import { Link } from 'react-router-dom';
import type { CertificationRequiredBody, CertificationState } from '@hub/contracts';
import { CERTIFICATION_FOR_ROLE, Role } from '@hub/contracts';
import { day, LANGUAGE_LABELS } from '../training/api';
import { useMissingCertification } from '../training/useCertification';

type Needed = CertificationRequiredBody['certification'] & { state?: CertificationState; expiresAt?: string | null };

/**
 * Why an action is not allowed yet: the certification it needs and the course(s) that give it. Shown before the
 * action (from GET /training/me) and when the server answers 403 CERTIFICATION_REQUIRED.
 */
export function CertificationGate({ needed, action }: { needed: Needed; action: string }) {
  const why =
    needed.state === 'expired'
      ? `your ${needed.label} certificate expired on ${day(needed.expiresAt)}`
      : needed.state === 'revoked'
        ? `your ${needed.label} certificate was revoked`
        : `you do not hold a valid ${needed.label} certificate yet`;
  return (
    <section className="gate" role="alert" aria-label="Certification required" data-testid="certification-required">
      <strong>You cannot {action} yet:</strong> {why}.
      {needed.courses.length > 0 ? (
        <>
          {' '}
          Take the course{needed.courses.length > 1 ? 's' : ''}:{' '}
          {needed.courses.map((c, i) => (
            <span key={c.id}>
              {i > 0 && ', '}
              <Link to={`/training/courses/${c.id}`}>{c.title}</Link> <span className="muted">({LANGUAGE_LABELS[c.language]})</span>
            </span>
          ))}
          .
        </>
      ) : (
        <> No course gives it in your mission yet; ask your trainer.</>
      )}{' '}
      <Link to="/training">My training</Link>
    </section>
  );
}

const ROLE_ACTIONS: Partial<Record<Role, string>> = {
  [Role.FieldMedicalOfficer]: 'send teleconsultation cases',
  [Role.ReferenceDoctor]: 'accept or answer cases',
  [Role.Trainer]: 'sign off practical skills',
};

/** On a role's home page: the certification the role needs, when it is missing (nothing otherwise). */
export function RoleCertificationNotice({ role }: { role: Role }) {
  const needed = useMissingCertification(CERTIFICATION_FOR_ROLE[role]);
  return needed ? <CertificationGate needed={needed} action={ROLE_ACTIONS[role] ?? 'do this'} /> : null;
}

import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
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
  const { t, i18n } = useTranslation();
  // The certificate's name in the reader's words ("de consultant en télémédecine"), the server's as a fallback.
  const label = i18n.exists(`certification.kinds.${needed.kind}`) ? t(`certification.kinds.${needed.kind}`) : needed.label;
  const why =
    needed.state === 'expired'
      ? t('certification.expired', { label, date: day(needed.expiresAt) })
      : needed.state === 'revoked'
        ? t('certification.revoked', { label })
        : t('certification.missing', { label });
  return (
    <section className="gate" role="alert" aria-label={t('certification.region')} data-testid="certification-required">
      <strong>{t('certification.cannot', { action })}</strong> {why}.
      {needed.courses.length > 0 ? (
        <>
          {' '}
          {t('certification.takeCourse', { count: needed.courses.length })}{' '}
          {needed.courses.map((c, i) => (
            <span key={c.id}>
              {i > 0 && ', '}
              <Link to={`/training/courses/${c.id}`}>{c.title}</Link> <span className="muted">({LANGUAGE_LABELS[c.language]})</span>
            </span>
          ))}
          .
        </>
      ) : (
        <> {t('certification.noCourse')}</>
      )}{' '}
      <Link to="/training">{t('certification.myTraining')}</Link>
    </section>
  );
}

/** On a role's home page: the certification the role needs, when it is missing (nothing otherwise). */
export function RoleCertificationNotice({ role }: { role: Role }) {
  const { t, i18n } = useTranslation();
  const needed = useMissingCertification(CERTIFICATION_FOR_ROLE[role]);
  const key = `certification.roleActions.${role}`;
  return needed ? <CertificationGate needed={needed} action={i18n.exists(key) ? t(key) : t('certification.doThis')} /> : null;
}

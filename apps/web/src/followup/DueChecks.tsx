import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { FollowUpDueView } from '@hub/contracts';
import { useApi } from '../components/useApi';

/** The follow-up checks due or overdue on the clinic's cases (the officer's home). */
export function DueChecks() {
  const { t } = useTranslation();
  const due = useApi<FollowUpDueView[]>('/api/follow-ups/due');
  return (
    <section className="card" aria-label={t('followUp.dueTitle')} data-testid="due-checks">
      <h2>{t('followUp.dueTitle')}</h2>
      {due.error && <div role="alert" className="alert">{due.error}</div>}
      {!due.data && !due.error && <p className="muted" role="status">{t('app.loading')}</p>}
      {due.data && !due.data.length && <p className="muted">{t('followUp.dueEmpty')}</p>}
      {due.data && due.data.length > 0 && (
        <ul>
          {due.data.map((c) => (
            <li key={c.id} className={c.state}>
              <Link to={`/cases/${c.caseId}`}>{t('followUp.dueLine', { reference: c.reference, patient: c.patientName, day: c.day, state: t(`followUp.state.${c.state}`) })}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { CasePage } from '@hub/contracts';
import { onNotification } from '../api/socket';
import { CertificationGate } from '../components/CertificationGate';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { formatDateTime } from '../i18n/format';
import { specialtyName } from '../i18n/words';
import { useMissingCertification } from '../training/useCertification';

/** "My cases" (view=mine) or a doctor's queue (view=queue); refreshed live when a notification arrives. */
export function CasesPage({ view }: { view: 'mine' | 'queue' }) {
  const { t } = useTranslation();
  const title = view === 'queue' ? t('cases.queue') : t('cases.mine');
  const heading = usePageTitle(title);
  const cases = useApi<CasePage>(`/api/cases?view=${view}&limit=50`);
  useEffect(() => onNotification(() => void cases.reload()), [cases.reload]);
  // A reference doctor needs a valid consultant certificate to accept and answer: say so above the queue.
  const missing = useMissingCertification('telemedicine_consultant');
  return (
    <main className="page">
      <h1 ref={heading} tabIndex={-1}>{title}</h1>
      {view === 'queue' && missing && <CertificationGate needed={missing} action={t('certification.roleActions.reference_doctor')} />}
      {cases.error && <div role="alert" className="alert">{cases.error}</div>}
      {cases.data && !cases.data.items.length && <p className="muted">{view === 'queue' ? t('cases.emptyQueue') : t('cases.emptyMine')}</p>}
      <table data-testid={`cases-${view}`}>
        <thead>
          <tr>
            <th>{t('cases.columns.case')}</th><th>{t('cases.columns.patient')}</th><th>{t('cases.columns.specialty')}</th>
            <th>{t('cases.columns.urgency')}</th><th>{t('cases.columns.status')}</th><th>{t('cases.columns.clinic')}</th><th>{t('cases.columns.due')}</th>
          </tr>
        </thead>
        <tbody>
          {cases.data?.items.map((c) => (
            <tr key={c.id} className={c.overdue ? 'overdue' : ''}>
              <td><Link to={`/cases/${c.id}`}>{c.reference}</Link></td>
              <td>{c.patientName}</td>
              <td>{specialtyName(t, c.specialtyCode)}</td>
              <td><span className={`urgency ${c.urgency}`}>{t(`urgency.${c.urgency}`)}</span></td>
              <td>{t(`status.${c.status}`)}{c.escalationLevel > 0 ? ` · ${t('cases.escalated')}` : ''}</td>
              <td>{c.facilityName}</td>
              <td>{c.deadlineAt ? formatDateTime(c.deadlineAt) : '—'}{c.overdue ? ` ${t('cases.overdue')}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

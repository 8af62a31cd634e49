import { useEffect } from 'react';
import { Link } from 'react-router-dom';
import type { CasePage } from '@hub/contracts';
import { get } from '../api/client';
import { onNotification } from '../api/socket';
import { CertificationGate } from '../components/CertificationGate';
import { useLoad } from '../components/useLoad';
import { useMissingCertification } from '../training/useCertification';

const STATUS_LABEL: Record<string, string> = {
  draft: 'Draft',
  submitted: 'Waiting for a specialist',
  accepted: 'Accepted',
  information_requested: 'Information requested',
  resubmitted: 'Information sent',
  answered: 'Answered',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

/** "My cases" (view=mine) or a doctor's queue (view=queue); refreshed live when a notification arrives. */
export function CasesPage({ view }: { view: 'mine' | 'queue' }) {
  const cases = useLoad(() => get<CasePage>(`/api/cases?view=${view}&limit=50`), [view]);
  useEffect(() => onNotification(() => cases.reload()), [cases.reload]);
  // A reference doctor needs a valid consultant certificate to accept and answer: say so above the queue.
  const missing = useMissingCertification('telemedicine_consultant');
  return (
    <main className="page">
      <h1>{view === 'queue' ? 'My queue' : 'My cases'}</h1>
      {view === 'queue' && missing && <CertificationGate needed={missing} action="accept or answer cases" />}
      {cases.error && <div role="alert" className="alert">{cases.error}</div>}
      {cases.data && !cases.data.items.length && <p className="muted">{view === 'queue' ? 'No case is waiting for your specialties.' : 'No case yet.'}</p>}
      <table data-testid={`cases-${view}`}>
        <thead>
          <tr><th>Case</th><th>Patient</th><th>Specialty</th><th>Urgency</th><th>Status</th><th>Clinic</th><th>Due</th></tr>
        </thead>
        <tbody>
          {cases.data?.items.map((c) => (
            <tr key={c.id} className={c.overdue ? 'overdue' : ''}>
              <td><Link to={`/cases/${c.id}`}>{c.reference}</Link></td>
              <td>{c.patientName}</td>
              <td>{c.specialtyCode.replace(/_/g, ' ')}</td>
              <td><span className={`urgency ${c.urgency}`}>{c.urgency}</span></td>
              <td>{STATUS_LABEL[c.status]}{c.escalationLevel > 0 ? ' · escalated' : ''}</td>
              <td>{c.facilityName}</td>
              <td>{c.deadlineAt ? new Date(c.deadlineAt).toLocaleString() : '—'}{c.overdue ? ' (overdue)' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

export { STATUS_LABEL };

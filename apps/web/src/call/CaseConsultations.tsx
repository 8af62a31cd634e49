import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { CaseView, ConsultationRecordView, ConsultationSessionView, QualityFigures } from '@hub/contracts';
import { errorMessage, get, post } from '../api/client';
import { onNotification } from '../api/socket';
import { useApi } from '../components/useApi';

/**
 * The case page's live-consultation card: "Start / join live consultation" (one open call per case: the hub
 * returns the open one if there is) and the record of each session (start, end, duration, participants, quality).
 */
export function CaseConsultations({ k }: { k: CaseView }) {
  const navigate = useNavigate();
  const records = useApi<ConsultationRecordView[]>(`/api/cases/${k.id}/consultations`);
  useEffect(() => onNotification((n) => n.caseId === k.id && void records.reload()), [k.id, records.reload]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const callable = !!k.assignedDoctorName && !['closed', 'cancelled', 'draft'].includes(k.status);
  const open = records.data?.find((r) => r.status !== 'ended');

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const s = await post<ConsultationSessionView>('/api/consultations', { caseId: k.id });
      navigate(`/consultations/${s.id}/check`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (!callable && !records.data?.length) return null;
  return (
    <section className="card" aria-label="Live consultation" data-testid="case-consultations">
      <h2>Live consultation</h2>
      {error && <div role="alert" className="alert">{error}</div>}
      {callable && (
        <p>
          <button onClick={() => void start()} disabled={busy}>
            {open ? 'Join live consultation' : 'Start live consultation'}
          </button>
          {open && <span className="muted"> A call is {open.status === 'live' ? 'in progress' : 'waiting to start'}.</span>}
        </p>
      )}
      {records.error && <div role="alert" className="alert">{records.error}</div>}
      {!!records.data?.length && (
        <div className="table-wrap">
          <table data-testid="consultation-records">
            <thead>
              <tr><th>Started</th><th>Ended</th><th>Duration</th><th>Participants</th><th>Quality</th></tr>
            </thead>
            <tbody>
              {records.data.map((r) => (
                <tr key={r.sessionId}>
                  <td>{r.startedAt ? new Date(r.startedAt).toLocaleString() : r.status === 'ended' ? 'never started' : 'not yet'}</td>
                  <td>{r.endedAt ? new Date(r.endedAt).toLocaleString() : r.status === 'live' ? 'in progress' : '—'}</td>
                  <td>{r.durationSeconds !== null ? formatDuration(r.durationSeconds) : '—'}</td>
                  <td>{r.participants.filter((p) => p.admittedAt).map((p) => p.displayName).join(', ') || '—'}</td>
                  <td>{formatQuality(r.quality)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function formatDuration(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h} h ${m} min` : m ? `${m} min ${sec} s` : `${sec} s`;
}

function formatQuality(q: QualityFigures): string {
  if (!q.samples) return 'no figures';
  const parts = [];
  if (q.avgBitrateKbps !== null) parts.push(`${Math.round(q.avgBitrateKbps)} kbit/s`);
  if (q.avgLoss !== null) parts.push(`loss ${(q.avgLoss * 100).toFixed(1)} %`);
  if (q.avgRttMs !== null) parts.push(`RTT ${Math.round(q.avgRttMs)} ms`);
  return parts.join(' · ');
}

import { useEffect, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useNavigate } from '../routing';
import type { CaseView, ConsultationRecordView, ConsultationSessionView, QualityFigures } from '@hub/contracts';
import { get, post } from '../api/client';
import { onNotification } from '../api/socket';
import { useApi } from '../components/useApi';
import { errorText } from '../i18n/errors';
import { formatDateTime, formatNumber } from '../i18n/format';

/**
 * The case page's live-consultation card: "Start / join live consultation" (one open call per case: the hub
 * returns the open one if there is) and the record of each session (start, end, duration, participants, quality).
 * A sensitive case's call (the session's `audioOnlyDefault`) is joined audio-only, the camera off until chosen.
 */
export function CaseConsultations({ k }: { k: CaseView }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const records = useApi<ConsultationRecordView[]>(`/api/cases/${k.id}/consultations`);
  useEffect(() => onNotification((n) => n.caseId === k.id && void records.reload()), [k.id, records.reload]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Emergency (break-the-glass) access reads the case only: no call from it.
  const callable = !!k.assignedDoctorName && !['closed', 'cancelled', 'draft'].includes(k.status) && !k.emergencyAccess;
  const open = records.data?.find((r) => r.status !== 'ended');

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const s = await post<ConsultationSessionView>('/api/consultations', { caseId: k.id });
      // A sensitive (mental-health) case's call starts audio-only, as from the booking list; otherwise the pre-call check.
      navigate(s.audioOnlyDefault ? `/consultations/${s.id}?audioOnly=1` : `/consultations/${s.id}/check`);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  if (!callable && !records.data?.length) return null;
  return (
    <section className="card" aria-label={t('call.live')} data-testid="case-consultations">
      <h2>{t('call.live')}</h2>
      {error && <div role="alert" className="alert">{error}</div>}
      {callable && (
        <p>
          <button onClick={() => void start()} disabled={busy}>
            {open ? t('call.join') : t('call.start')}
          </button>
          {open && <span className="muted"> {open.status === 'live' ? t('call.openLive') : t('call.openWaiting')}</span>}
          {k.sensitive && <span className="muted" data-testid="call-audio-only-note"> {t('call.audioOnlyPrivate')}</span>}
        </p>
      )}
      {records.error && <div role="alert" className="alert">{records.error}</div>}
      {!!records.data?.length && (
        <div className="table-wrap">
          <table data-testid="consultation-records">
            <thead>
              <tr><th>{t('call.records.started')}</th><th>{t('call.records.ended')}</th><th>{t('call.records.duration')}</th><th>{t('call.records.participants')}</th><th>{t('call.records.quality')}</th></tr>
            </thead>
            <tbody>
              {records.data.map((r) => (
                <tr key={r.sessionId}>
                  <td>{r.startedAt ? formatDateTime(r.startedAt) : r.status === 'ended' ? t('call.records.neverStarted') : t('call.records.notYet')}</td>
                  <td>{r.endedAt ? formatDateTime(r.endedAt) : r.status === 'live' ? t('call.records.inProgress') : '—'}</td>
                  <td>{r.durationSeconds !== null ? formatDuration(r.durationSeconds) : '—'}</td>
                  <td>{r.participants.filter((p) => p.admittedAt).map((p) => p.displayName).join(', ') || '—'}</td>
                  <td>{formatQuality(t, r.quality)}</td>
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

function formatQuality(t: TFunction, q: QualityFigures): string {
  if (!q.samples) return t('call.records.noFigures');
  const parts = [];
  if (q.avgBitrateKbps !== null) parts.push(t('preCall.kbits', { value: formatNumber(q.avgBitrateKbps) }));
  if (q.avgLoss !== null) parts.push(t('call.records.loss', { value: formatNumber(q.avgLoss * 100, 1) }));
  if (q.avgRttMs !== null) parts.push(t('call.records.rtt', { value: formatNumber(q.avgRttMs) }));
  return parts.join(' · ');
}

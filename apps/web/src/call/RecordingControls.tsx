import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../i18n/errors';
import { formatTime } from '../i18n/format';
import type { CallClient, CallState } from './CallClient';

/**
 * Consented recording of the call (docs/web-call.md): a "Recording" indicator while the hub records, the caller's
 * own consent button (give / withdraw), and who of the participants present has consented. The hub records only
 * while everyone present consents and stops at once when anyone withdraws or leaves; the file goes to the case.
 */
export function RecordingControls({ client, state }: { client: CallClient; state: CallState }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const r = state.recording;
  // Also while reconnecting: the indicator must not vanish while the hub may still be recording.
  if (!r || (state.phase !== 'in-call' && state.phase !== 'reconnecting')) return null;
  const mine = r.consents.find((c) => c.participantId === state.participantId)?.consented ?? false;
  const give = async (consent: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await client.setRecordingConsent(consent);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card recording" aria-label={t('recording.title')} data-testid="recording-controls" data-recording={r.recording ? 'true' : 'false'}>
      <h2>{t('recording.title')}</h2>
      {r.recording ? (
        <p className="banner recording-on" role="status" data-testid="recording-indicator">
          <span aria-hidden="true">●</span> {r.startedAt ? t('recording.onSince', { time: formatTime(r.startedAt) }) : t('recording.on')}
        </p>
      ) : (
        <p className="muted" role="status" data-testid="recording-off">{r.available ? t('recording.off') : t('recording.unavailable')}</p>
      )}
      {r.available && (
        <>
          <p className="muted">{t('recording.explain')}</p>
          <button type="button" className={mine ? 'secondary' : ''} disabled={busy} aria-pressed={mine} onClick={() => void give(!mine)} data-testid="recording-consent">
            {mine ? t('recording.withdraw') : t('recording.consent')}
          </button>
          <ul className="plain" data-testid="recording-consents">
            {r.consents.map((c) => (
              <li key={c.participantId} data-participant={c.participantId} data-consented={c.consented ? 'true' : 'false'}>
                {c.participantId === state.participantId ? t('call.you') : c.displayName}: {c.consented ? t('recording.consented') : t('recording.notConsented')}
              </li>
            ))}
          </ul>
        </>
      )}
      {error && <div role="alert" className="alert">{error}</div>}
    </section>
  );
}

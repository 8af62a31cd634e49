import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { MentalHealthBookingView } from '@hub/contracts';
import { fetchBlob, post } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { ConfirmButton } from '../components/ConfirmButton';
import { useApi } from '../components/useApi';
import { useSubmit } from '../components/useLoad';
import { newKey } from '../offline/db';
import { zonedText } from './zoned';

/** The sessions the reader booked or treats (only those two people see them): join audio-only, or add to a calendar. */
export function BookingsList({ reloadKey }: { reloadKey: number }) {
  const { t } = useTranslation();
  const bookings = useApi<MentalHealthBookingView[]>(`/api/mental-health/bookings?v=${reloadKey}`);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const cancelling = useSubmit();
  const [cancelled, setCancelled] = useState(false);
  // The officer who booked, or the clinician, cancels: the slot is free again and the case is cancelled.
  const cancel = (b: MentalHealthBookingView) =>
    cancelling.submit(async () => {
      setCancelled(false);
      await post(`/api/mental-health/bookings/${b.id}/cancel`, {}, { idempotencyKey: newKey() });
      setCancelled(true);
      await bookings.reload();
    });
  const download = async (b: MentalHealthBookingView) => {
    setDownloadError(null);
    try {
      const url = URL.createObjectURL(await fetchBlob(b.calendarPath));
      const a = document.createElement('a');
      a.href = url;
      a.download = `session-${b.caseReference}.ics`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      setDownloadError(t('mentalHealth.calendarFailed'));
    }
  };
  return (
    <section>
      <h2>{t('mentalHealth.bookingsTitle')}</h2>
      <p className="muted">{t('mentalHealth.privateNote')}</p>
      {bookings.loading && <p className="muted">{t('mentalHealth.loadingBookings')}</p>}
      {bookings.error && <div role="alert" className="alert">{bookings.error}</div>}
      {downloadError && <div role="alert" className="alert">{downloadError}</div>}
      <ErrorAlert error={cancelling.error} />
      {cancelled && <p role="status" data-testid="mh-cancelled">{t('mentalHealth.cancelled')}</p>}
      {bookings.data && !bookings.data.length && <p className="muted">{t('mentalHealth.noBookings')}</p>}
      <ul className="bookings" data-testid="mh-bookings">
        {bookings.data?.map((b) => (
          <li key={b.id} data-testid="mh-booking">
            <strong>{zonedText(b.startsAt)}</strong> · {b.patientName} · {t('mentalHealth.with', { name: b.clinicianName })} ·{' '}
            {b.caseId ? <Link to={`/cases/${b.caseId}`}>{b.caseReference}</Link> : b.caseReference}
            {' · '}
            {b.chatConsent ? t('mentalHealth.chatKept') : t('mentalHealth.chatNotKept')}
            <div className="actions">
              <Link className="button" to={b.joinPath} data-testid="mh-join">{t('mentalHealth.join')}</Link>{' '}
              <button type="button" className="secondary" onClick={() => void download(b)}>{t('mentalHealth.calendar')}</button>{' '}
              {new Date(b.startsAt.utc).getTime() > Date.now() && (
                <ConfirmButton label={t('mentalHealth.cancel')} question={t('mentalHealth.cancelQuestion')} yes={t('mentalHealth.cancelYes')} no={t('mentalHealth.cancelNo')} onConfirm={() => cancel(b)} />
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

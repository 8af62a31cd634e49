import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MentalHealthBookingView, MentalHealthSlotList, PatientView } from '@hub/contracts';
import { api } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useApi } from '../components/useApi';
import { useSubmit } from '../components/useLoad';
import { usePageTitle } from '../components/usePageTitle';
import { BookingsList } from './BookingsList';
import { zonedText } from './zoned';

/** /mental-health/book — an officer books a private session with a psychologist for a patient. */
export function BookingPage() {
  const { t } = useTranslation();
  const heading = usePageTitle(t('mentalHealth.bookTitle'));
  const [version, setVersion] = useState(0);
  const slots = useApi<MentalHealthSlotList>(`/api/mental-health/slots/open?v=${version}`);
  const patients = useApi<PatientView[]>('/api/patients');
  const [form, setForm] = useState({ slotId: '', patientId: '', reason: '', chatConsent: false });
  // One key per booking being made: a retry after a lost answer books once.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [booked, setBooked] = useState<MentalHealthBookingView | null>(null);
  const submit = useSubmit();

  async function book(e: FormEvent) {
    e.preventDefault();
    setBooked(null);
    let result: MentalHealthBookingView | null = null;
    const done = await submit.submit(async () => {
      result = await api<MentalHealthBookingView>('POST', '/api/mental-health/bookings', form, { idempotencyKey: key });
    });
    if (done && result) {
      setBooked(result);
      setKey(crypto.randomUUID());
      setForm({ slotId: '', patientId: '', reason: '', chatConsent: false });
    }
    setVersion((v) => v + 1);
  }

  return (
    <main className="page">
      <h1 ref={heading} tabIndex={-1}>{t('mentalHealth.bookTitle')}</h1>
      <p className="muted">{t('mentalHealth.privateNote')}</p>
      {slots.data && <p className="muted" data-testid="mh-zone">{t('mentalHealth.zoneNote', { zone: slots.data.timeZone })}</p>}
      <form onSubmit={book} className="card" aria-label={t('mentalHealth.bookTitle')}>
        <fieldset>
          <legend>{t('mentalHealth.chooseSlot')}</legend>
          {slots.loading && <p className="muted">{t('mentalHealth.loadingSlots')}</p>}
          {slots.error && <div role="alert" className="alert">{slots.error}</div>}
          {slots.data && !slots.data.items.length && <p className="muted">{t('mentalHealth.noOpenSlots')}</p>}
          {slots.data?.items.map((s) => (
            <label key={s.id} className="radio" data-testid="mh-open-slot">
              <input type="radio" name="slot" value={s.id} checked={form.slotId === s.id} onChange={() => setForm({ ...form, slotId: s.id })} />{' '}
              {zonedText(s.startsAt)} · {t('mentalHealth.minutes', { count: s.durationMinutes })} · {s.clinicianName} ({s.facilityName})
            </label>
          ))}
          {submit.problems('slotId').map((p) => <div key={p} className="field-error">{p}</div>)}
        </fieldset>
        <Field label={t('mentalHealth.patient')} problems={submit.problems('patientId')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} required value={form.patientId} onChange={(e) => setForm({ ...form, patientId: e.target.value })}>
              <option value="">{t('mentalHealth.choosePatient')}</option>
              {patients.data?.map((p) => <option key={p.id} value={p.id}>{p.lastName}, {p.firstName}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('mentalHealth.reason')} problems={submit.problems('reason')}>
          {(id, d) => <textarea id={id} aria-describedby={d} required maxLength={2000} value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} />}
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={form.chatConsent} onChange={(e) => setForm({ ...form, chatConsent: e.target.checked })} /> {t('mentalHealth.chatConsent')}
        </label>
        <ErrorAlert error={submit.error} shown={['patientId', 'reason']} testId="mh-book-error" />
        <button type="submit" disabled={submit.busy || !form.slotId}>{submit.busy ? t('mentalHealth.booking') : t('mentalHealth.book')}</button>
      </form>
      {booked && (
        <div role="status" className="notice" data-testid="mh-booked">
          {t('mentalHealth.bookedNotice', { when: zonedText(booked.startsAt), name: booked.clinicianName })}
        </div>
      )}
      <BookingsList reloadKey={version} />
    </main>
  );
}

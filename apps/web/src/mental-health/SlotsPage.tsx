import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MentalHealthSlotList } from '@hub/contracts';
import { api } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useApi } from '../components/useApi';
import { useSubmit } from '../components/useLoad';
import { usePageTitle } from '../components/usePageTitle';
import { BookingsList } from './BookingsList';
import { wallTimeInZone, zonedText } from './zoned';

/** /mental-health/slots — a psychologist or psychiatrist publishes session slots and sees what was booked. */
export function SlotsPage() {
  const { t } = useTranslation();
  const heading = usePageTitle(t('mentalHealth.slotsTitle'));
  const [version, setVersion] = useState(0);
  const slots = useApi<MentalHealthSlotList>(`/api/mental-health/slots?v=${version}`);
  const zone = slots.data?.timeZone ?? 'UTC';
  const [form, setForm] = useState({ date: '', time: '09:00', durationMinutes: '50', count: '1' });
  const [key, setKey] = useState(() => crypto.randomUUID());
  const submit = useSubmit();

  async function publish(e: FormEvent) {
    e.preventDefault();
    const done = await submit.submit(() =>
      api('POST', '/api/mental-health/slots', { startsAt: form.date ? wallTimeInZone(form.date, form.time, zone) : '', durationMinutes: Number(form.durationMinutes), count: Number(form.count) }, { idempotencyKey: key }),
    );
    if (done) {
      setKey(crypto.randomUUID());
      setVersion((v) => v + 1);
    }
  }

  return (
    <main className="page">
      <h1 ref={heading} tabIndex={-1}>{t('mentalHealth.slotsTitle')}</h1>
      <p className="muted" data-testid="mh-zone">{t('mentalHealth.zoneNote', { zone })}</p>
      <form onSubmit={publish} className="card" aria-label={t('mentalHealth.publishTitle')}>
        <h2>{t('mentalHealth.publishTitle')}</h2>
        <Field label={t('mentalHealth.date')} problems={submit.problems('startsAt')}>
          {(id, d) => <input id={id} aria-describedby={d} type="date" required value={form.date} onChange={(e) => setForm({ ...form, date: e.target.value })} />}
        </Field>
        <Field label={t('mentalHealth.time', { zone })}>
          {(id) => <input id={id} type="time" required value={form.time} onChange={(e) => setForm({ ...form, time: e.target.value })} />}
        </Field>
        <Field label={t('mentalHealth.duration')} problems={submit.problems('durationMinutes')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={form.durationMinutes} onChange={(e) => setForm({ ...form, durationMinutes: e.target.value })}>
              {['30', '50', '60', '90'].map((m) => <option key={m} value={m}>{t('mentalHealth.minutes', { count: Number(m) })}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('mentalHealth.count')} problems={submit.problems('count')}>
          {(id, d) => <input id={id} aria-describedby={d} type="number" min={1} max={12} value={form.count} onChange={(e) => setForm({ ...form, count: e.target.value })} />}
        </Field>
        <ErrorAlert error={submit.error} shown={['startsAt', 'durationMinutes', 'count']} />
        <button type="submit" disabled={submit.busy}>{submit.busy ? t('mentalHealth.publishing') : t('mentalHealth.publish')}</button>
      </form>

      <section>
        <h2>{t('mentalHealth.mySlots')}</h2>
        {slots.loading && <p className="muted">{t('mentalHealth.loadingSlots')}</p>}
        {slots.error && <div role="alert" className="alert">{slots.error}</div>}
        {slots.data && !slots.data.items.length && <p className="muted">{t('mentalHealth.noSlots')}</p>}
        <ul data-testid="mh-my-slots">
          {slots.data?.items.map((s) => (
            <li key={s.id} data-testid="mh-slot">
              {zonedText(s.startsAt)} · {t('mentalHealth.minutes', { count: s.durationMinutes })} · {s.facilityName} ·{' '}
              <strong>{s.booked ? t('mentalHealth.booked') : t('mentalHealth.free')}</strong>
            </li>
          ))}
        </ul>
      </section>
      <BookingsList reloadKey={version} />
    </main>
  );
}

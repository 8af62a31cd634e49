import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { PatientView } from '@hub/contracts';
import { DraftSaved } from '../offline/DraftSaved';
import { send } from '../offline/outbox';
import { S } from '../offline/strings';
import { useDraft } from '../offline/useDraft';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useApi } from '../components/useApi';
import { useSubmit } from '../components/useLoad';
import { usePageTitle } from '../components/usePageTitle';

const BLANK = { serviceNumber: '', firstName: '', lastName: '', dateOfBirth: '', sex: 'male', nationality: '', contingent: '', unit: '', bloodGroup: 'unknown', allergies: '' };
const SHOWN = Object.keys(BLANK);

export function PatientsPage() {
  const { t } = useTranslation();
  const heading = usePageTitle(t('patients.title'));
  const [q, setQ] = useState('');
  const search = q.trim();
  // Each search is its own cache entry: an answer to an earlier, shorter search never replaces the current one.
  const patients = useApi<PatientView[]>(`/api/patients${search ? `?q=${encodeURIComponent(search)}` : ''}`, { keepPrevious: true });
  const form = useSubmit();
  // The registration being typed is a draft on this device; sending it is one outbox action with the draft's key.
  const saved = useDraft('patient-registration', BLANK);
  const draft = saved.value;
  const setDraft = saved.set;
  const [queued, setQueued] = useState(false);
  const set = (k: keyof typeof BLANK) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });

  async function register(e: FormEvent) {
    e.preventDefault();
    const body = {
      ...draft,
      unit: draft.unit || undefined,
      allergies: draft.allergies ? draft.allergies.split(',').map((a) => a.trim()).filter(Boolean) : [],
    };
    setQueued(false);
    const done = await form.submit(async () => {
      await saved.flush();
      const outcome = await send({
        id: saved.key,
        label: S.patientLabel(`${draft.lastName}, ${draft.firstName}`),
        draftId: saved.draftId ?? undefined,
        files: [],
        request: { method: 'POST', path: '/api/patients', body },
      });
      if (outcome.state === 'refused') {
        await saved.renewKey();
        throw outcome.error;
      }
      setQueued(outcome.state === 'queued');
    });
    if (done) {
      await saved.clear();
      void patients.reload();
    }
  }

  return (
    <main className="page">
      <h1 ref={heading} tabIndex={-1}>{t('patients.title')}</h1>
      <Field label={t('patients.search')}>{(id) => <input id={id} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('patients.searchHint')} />}</Field>
      {patients.error && <div role="alert" className="alert">{patients.error}</div>}
      {patients.data && !patients.data.length && (
        <p className="muted" role="status" data-testid="no-results">
          {search ? t('common.noResults', { query: search }) : t('patients.empty')}
        </p>
      )}
      <table>
        <thead>
          <tr><th>{t('patients.serviceNumber')}</th><th>{t('patients.name')}</th><th>{t('patients.contingent')}</th><th>{t('patients.born')}</th><th></th></tr>
        </thead>
        <tbody>
          {patients.data?.map((p) => (
            <tr key={p.id}>
              <td>{p.serviceNumber}</td>
              <td>{p.lastName}, {p.firstName}</td>
              <td>{p.contingent}</td>
              <td>{p.dateOfBirth}</td>
              <td><Link to={`/cases/new?patient=${p.id}`}>{t('patients.newCase')}</Link></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={register} className="card inline-form" aria-label={t('patients.register')}>
        <h2>{t('patients.register')}</h2>
        <Field label={t('patients.serviceNumber')} problems={form.problems('serviceNumber')}>{(id) => <input id={id} value={draft.serviceNumber} onChange={set('serviceNumber')} />}</Field>
        <Field label={t('patients.firstName')} problems={form.problems('firstName')}>{(id) => <input id={id} value={draft.firstName} onChange={set('firstName')} />}</Field>
        <Field label={t('patients.lastName')} problems={form.problems('lastName')}>{(id) => <input id={id} value={draft.lastName} onChange={set('lastName')} />}</Field>
        <Field label={t('patients.dateOfBirth')} problems={form.problems('dateOfBirth')}>{(id) => <input id={id} type="date" value={draft.dateOfBirth} onChange={set('dateOfBirth')} />}</Field>
        <Field label={t('patients.sex')} problems={form.problems('sex')}>
          {(id) => (
            <select id={id} value={draft.sex} onChange={set('sex')}>
              {(['male', 'female', 'other', 'unknown'] as const).map((x) => <option key={x} value={x}>{t(`sex.${x}`)}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('patients.nationality')} problems={form.problems('nationality')}>{(id) => <input id={id} value={draft.nationality} maxLength={3} onChange={(e) => setDraft({ ...draft, nationality: e.target.value.toUpperCase() })} placeholder="BGD" />}</Field>
        <Field label={t('patients.contingent')} problems={form.problems('contingent')}>{(id) => <input id={id} value={draft.contingent} onChange={set('contingent')} />}</Field>
        <Field label={t('patients.unit')} problems={form.problems('unit')}>{(id) => <input id={id} value={draft.unit} onChange={set('unit')} />}</Field>
        <Field label={t('patients.bloodGroup')} problems={form.problems('bloodGroup')}>
          {(id) => (
            <select id={id} value={draft.bloodGroup} onChange={set('bloodGroup')}>
              {['unknown', 'A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'].map((b) => <option key={b} value={b}>{b === 'unknown' ? t('patients.bloodUnknown') : b}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('patients.allergies')} problems={form.problems('allergies')}>{(id) => <input id={id} value={draft.allergies} onChange={set('allergies')} />}</Field>
        <ErrorAlert error={form.error} shown={SHOWN} />
        {queued && <div role="status" className="notice" data-testid="queued-notice">{S.queued}</div>}
        <button type="submit" disabled={form.busy}>{t('patients.submit')}</button>
        <DraftSaved at={saved.savedAt} />
      </form>
    </main>
  );
}

import { FormEvent, useState } from 'react';
import { Link } from 'react-router-dom';
import type { PatientView } from '@hub/contracts';
import { get } from '../api/client';
import { DraftSaved } from '../offline/DraftSaved';
import { send } from '../offline/outbox';
import { S } from '../offline/strings';
import { useDraft } from '../offline/useDraft';
import { Field } from '../components/Field';
import { useLoad, useSubmit } from '../components/useLoad';

const BLANK = { serviceNumber: '', firstName: '', lastName: '', dateOfBirth: '', sex: 'male', nationality: '', contingent: '', unit: '', bloodGroup: 'unknown', allergies: '' };

export function PatientsPage() {
  const [q, setQ] = useState('');
  const patients = useLoad(() => get<PatientView[]>(`/api/patients${q ? `?q=${encodeURIComponent(q)}` : ''}`), [q]);
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
      patients.reload();
    }
  }

  return (
    <main className="page">
      <h1>Patients</h1>
      <Field label="Search patients">{(id) => <input id={id} value={q} onChange={(e) => setQ(e.target.value)} placeholder="name or service number" />}</Field>
      {patients.error && <div role="alert" className="alert">{patients.error}</div>}
      <table>
        <thead>
          <tr><th>Service number</th><th>Name</th><th>Contingent</th><th>Born</th><th></th></tr>
        </thead>
        <tbody>
          {patients.data?.map((p) => (
            <tr key={p.id}>
              <td>{p.serviceNumber}</td>
              <td>{p.lastName}, {p.firstName}</td>
              <td>{p.contingent}</td>
              <td>{p.dateOfBirth}</td>
              <td><Link to={`/cases/new?patient=${p.id}`}>New case</Link></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={register} className="card inline-form" aria-label="Register a patient">
        <h2>Register a patient</h2>
        <Field label="Service number" problems={form.problems('serviceNumber')}>{(id) => <input id={id} value={draft.serviceNumber} onChange={set('serviceNumber')} />}</Field>
        <Field label="First name" problems={form.problems('firstName')}>{(id) => <input id={id} value={draft.firstName} onChange={set('firstName')} />}</Field>
        <Field label="Last name" problems={form.problems('lastName')}>{(id) => <input id={id} value={draft.lastName} onChange={set('lastName')} />}</Field>
        <Field label="Date of birth" problems={form.problems('dateOfBirth')}>{(id) => <input id={id} type="date" value={draft.dateOfBirth} onChange={set('dateOfBirth')} />}</Field>
        <Field label="Sex" problems={form.problems('sex')}>
          {(id) => (
            <select id={id} value={draft.sex} onChange={set('sex')}>
              <option value="male">male</option><option value="female">female</option><option value="other">other</option><option value="unknown">unknown</option>
            </select>
          )}
        </Field>
        <Field label="Nationality (ISO code)" problems={form.problems('nationality')}>{(id) => <input id={id} value={draft.nationality} maxLength={3} onChange={(e) => setDraft({ ...draft, nationality: e.target.value.toUpperCase() })} placeholder="BGD" />}</Field>
        <Field label="Contingent" problems={form.problems('contingent')}>{(id) => <input id={id} value={draft.contingent} onChange={set('contingent')} />}</Field>
        <Field label="Unit" problems={form.problems('unit')}>{(id) => <input id={id} value={draft.unit} onChange={set('unit')} />}</Field>
        <Field label="Blood group" problems={form.problems('bloodGroup')}>
          {(id) => (
            <select id={id} value={draft.bloodGroup} onChange={set('bloodGroup')}>
              {['unknown', 'A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'].map((b) => <option key={b} value={b}>{b}</option>)}
            </select>
          )}
        </Field>
        <Field label="Allergies (comma-separated)" problems={form.problems('allergies')}>{(id) => <input id={id} value={draft.allergies} onChange={set('allergies')} />}</Field>
        {form.error && <div role="alert" className="alert">{form.error.message}</div>}
        {queued && <div role="status" className="notice" data-testid="queued-notice">{S.queued}</div>}
        <button type="submit" disabled={form.busy}>Register patient</button>
        <DraftSaved at={saved.savedAt} />
      </form>
    </main>
  );
}

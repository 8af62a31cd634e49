import { FormEvent, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import type { CaseView, PatientView } from '@hub/contracts';
import { ApiError, get, post } from '../api/client';
import { uploadToCase, UploadProgress } from '../api/upload';
import { CertificationGate } from '../components/CertificationGate';
import { Field } from '../components/Field';
import { certificationRequired } from '../training/api';
import { useMissingCertification } from '../training/useCertification';
import { UploadList } from '../components/Uploads';
import { useLoad, useSubmit } from '../components/useLoad';

const VITALS: [key: string, label: string, step?: string][] = [
  ['heartRate', 'Heart rate (/min)'],
  ['systolicBp', 'Systolic BP (mmHg)'],
  ['diastolicBp', 'Diastolic BP (mmHg)'],
  ['respiratoryRate', 'Respiratory rate (/min)'],
  ['spo2', 'SpO2 (%)'],
  ['temperatureC', 'Temperature (°C)', '0.1'],
  ['gcs', 'GCS (3-15)'],
];

export function NewCasePage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const patients = useLoad(() => get<PatientView[]>('/api/patients'));
  const specialties = useLoad(() => get<{ code: string; name: string }[]>('/api/specialties'));
  const form = useSubmit();
  // Only certified telemedicine users may submit cases: say so (and link the course) before the form is filled.
  const missing = useMissingCertification('telemedicine_user');
  const refused = certificationRequired(form.error);
  const [uploads, setUploads] = useState<UploadProgress[]>([]);
  const [files, setFiles] = useState<File[]>([]);
  const [c, setC] = useState({
    patientId: params.get('patient') ?? '',
    specialtyCode: '',
    urgency: 'urgent',
    consentGiven: false,
    presentingComplaint: '',
    history: '',
    examination: '',
    workingDiagnosis: '',
    question: '',
  });
  const [vitals, setVitals] = useState<Record<string, string>>({});
  const set = (k: keyof typeof c) => (e: { target: { value: string } }) => setC({ ...c, [k]: e.target.value });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = Object.fromEntries(Object.entries(vitals).filter(([, x]) => x !== '').map(([k, x]) => [k, Number(x)]));
    await form.submit(async () => {
      // Draft first, so photos can be attached to it; submitted once every file has arrived.
      const draft = await post<CaseView>('/api/cases', { ...c, vitals: v });
      const track = (p: UploadProgress) => setUploads((list) => [...list.filter((x) => x.name !== p.name), p]);
      const ids: string[] = [];
      for (const f of files) ids.push(await uploadToCase(draft.id, f, track));
      if (ids.length) await post(`/api/cases/${draft.id}/messages`, { body: `${ids.length} photo(s) with the referral`, attachmentIds: ids });
      await post(`/api/cases/${draft.id}/submit`, {});
      navigate(`/cases/${draft.id}`);
    });
  }

  const problems = (f: string) => form.problems(f);
  return (
    <main className="page narrow">
      <h1>New teleconsultation case</h1>
      {(refused ?? missing) && <CertificationGate needed={missing ?? refused!} action="open a teleconsultation case" />}
      <form onSubmit={submit} className="card" aria-label="New case">
        <Field label="Patient" problems={problems('patientId')}>
          {(id) => (
            <select id={id} value={c.patientId} onChange={set('patientId')} required>
              <option value="">Choose…</option>
              {patients.data?.map((p) => <option key={p.id} value={p.id}>{p.lastName}, {p.firstName} ({p.serviceNumber})</option>)}
            </select>
          )}
        </Field>
        <Field label="Specialty" problems={problems('specialtyCode')}>
          {(id) => (
            <select id={id} value={c.specialtyCode} onChange={set('specialtyCode')} required>
              <option value="">Choose…</option>
              {specialties.data?.map((s) => <option key={s.code} value={s.code}>{s.name}</option>)}
            </select>
          )}
        </Field>
        <Field label="Urgency" problems={problems('urgency')}>
          {(id) => (
            <select id={id} value={c.urgency} onChange={set('urgency')}>
              <option value="emergency">Emergency (answer within 1 h)</option>
              <option value="urgent">Urgent (24 h)</option>
              <option value="routine">Routine (72 h)</option>
            </select>
          )}
        </Field>
        <Field label="Presenting complaint" problems={problems('presentingComplaint')}>{(id) => <textarea id={id} rows={2} value={c.presentingComplaint} onChange={set('presentingComplaint')} />}</Field>
        <Field label="History" problems={problems('history')}>{(id) => <textarea id={id} rows={3} value={c.history} onChange={set('history')} />}</Field>
        <fieldset className="vitals">
          <legend>Vital signs</legend>
          {VITALS.map(([k, label, step]) => (
            <Field key={k} label={label} problems={problems(`vitals.${k}`)}>
              {(id) => <input id={id} type="number" step={step ?? '1'} value={vitals[k] ?? ''} onChange={(e) => setVitals({ ...vitals, [k]: e.target.value })} />}
            </Field>
          ))}
        </fieldset>
        <Field label="Examination" problems={problems('examination')}>{(id) => <textarea id={id} rows={3} value={c.examination} onChange={set('examination')} />}</Field>
        <Field label="Working diagnosis" problems={problems('workingDiagnosis')}>{(id) => <input id={id} value={c.workingDiagnosis} onChange={set('workingDiagnosis')} />}</Field>
        <Field label="Question to the specialist" problems={problems('question')}>{(id) => <textarea id={id} rows={2} value={c.question} onChange={set('question')} />}</Field>
        <Field label="Photos, ECG, X-ray">
          {(id) => <input id={id} type="file" multiple accept="image/jpeg,image/png,image/webp,application/pdf,.dcm" onChange={(e) => setFiles(Array.from(e.target.files ?? []))} />}
        </Field>
        <label className="check">
          <input type="checkbox" checked={c.consentGiven} onChange={(e) => setC({ ...c, consentGiven: e.target.checked })} /> The patient consents to this teleconsultation
        </label>
        {problems('consentGiven').length > 0 && <div className="field-error">{problems('consentGiven').join('; ')}</div>}
        <UploadList items={uploads} />
        {form.error && !refused && (
          <div role="alert" className="alert">
            {form.error instanceof ApiError ? form.error.message : String(form.error)}
          </div>
        )}
        <button type="submit" disabled={form.busy || !!missing}>{form.busy ? 'Sending…' : 'Send to specialist'}</button>
      </form>
    </main>
  );
}

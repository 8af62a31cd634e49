import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import type { CaseView, PatientView } from '@hub/contracts';
import { post } from '../api/client';
import { uploadToCase, UploadProgress } from '../api/upload';
import { ErrorAlert } from '../components/Alert';
import { CertificationGate } from '../components/CertificationGate';
import { Field } from '../components/Field';
import { certificationRequired } from '../training/api';
import { useMissingCertification } from '../training/useCertification';
import { UploadList } from '../components/Uploads';
import { useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { specialtyName } from '../i18n/words';

const VITALS: [key: string, step?: string][] = [['heartRate'], ['systolicBp'], ['diastolicBp'], ['respiratoryRate'], ['spo2'], ['temperatureC', '0.1'], ['gcs']];

/** Every field the form shows with its own problems: an error about these is said beside the field only. */
const SHOWN = ['patientId', 'specialtyCode', 'urgency', 'presentingComplaint', 'history', 'examination', 'workingDiagnosis', 'question', 'consentGiven', ...VITALS.map(([k]) => `vitals.${k}`)];

export function NewCasePage() {
  const { t } = useTranslation();
  const heading = usePageTitle(t('newCase.title'));
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const patients = useApi<PatientView[]>('/api/patients');
  const specialties = useApi<{ code: string; name: string }[]>('/api/specialties');
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
      if (ids.length) await post(`/api/cases/${draft.id}/messages`, { body: t('newCase.photosMessage', { count: ids.length }), attachmentIds: ids });
      await post(`/api/cases/${draft.id}/submit`, {});
      navigate(`/cases/${draft.id}`);
    });
  }

  const problems = (f: string) => form.problems(f);
  return (
    <main className="page narrow">
      <h1 ref={heading} tabIndex={-1}>{t('newCase.title')}</h1>
      {(refused ?? missing) && <CertificationGate needed={missing ?? refused!} action={t('newCase.gateAction')} />}
      <form onSubmit={submit} className="card" aria-label={t('newCase.form')}>
        <Field label={t('newCase.patient')} problems={problems('patientId')}>
          {(id) => (
            <select id={id} value={c.patientId} onChange={set('patientId')} required>
              <option value="">{t('common.choose')}</option>
              {patients.data?.map((p) => <option key={p.id} value={p.id}>{p.lastName}, {p.firstName} ({p.serviceNumber})</option>)}
            </select>
          )}
        </Field>
        <Field label={t('newCase.specialty')} problems={problems('specialtyCode')}>
          {(id) => (
            <select id={id} value={c.specialtyCode} onChange={set('specialtyCode')} required>
              <option value="">{t('common.choose')}</option>
              {specialties.data?.map((s) => <option key={s.code} value={s.code}>{specialtyName(t, s.code, s.name)}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('newCase.urgency')} problems={problems('urgency')}>
          {(id) => (
            <select id={id} value={c.urgency} onChange={set('urgency')}>
              <option value="emergency">{t('urgency.emergencyLong')}</option>
              <option value="urgent">{t('urgency.urgentLong')}</option>
              <option value="routine">{t('urgency.routineLong')}</option>
            </select>
          )}
        </Field>
        <Field label={t('newCase.complaint')} problems={problems('presentingComplaint')}>{(id) => <textarea id={id} rows={2} value={c.presentingComplaint} onChange={set('presentingComplaint')} />}</Field>
        <Field label={t('newCase.history')} problems={problems('history')}>{(id) => <textarea id={id} rows={3} value={c.history} onChange={set('history')} />}</Field>
        <fieldset className="vitals">
          <legend>{t('newCase.vitals')}</legend>
          {VITALS.map(([k, step]) => (
            <Field key={k} label={t(`vitals.${k}`)} problems={problems(`vitals.${k}`)}>
              {(id) => <input id={id} type="number" step={step ?? '1'} value={vitals[k] ?? ''} onChange={(e) => setVitals({ ...vitals, [k]: e.target.value })} />}
            </Field>
          ))}
        </fieldset>
        <Field label={t('newCase.examination')} problems={problems('examination')}>{(id) => <textarea id={id} rows={3} value={c.examination} onChange={set('examination')} />}</Field>
        <Field label={t('newCase.diagnosis')} problems={problems('workingDiagnosis')}>{(id) => <input id={id} value={c.workingDiagnosis} onChange={set('workingDiagnosis')} />}</Field>
        <Field label={t('newCase.question')} problems={problems('question')}>{(id) => <textarea id={id} rows={2} value={c.question} onChange={set('question')} />}</Field>
        <Field label={t('newCase.files')}>
          {(id) => <input id={id} type="file" multiple accept="image/jpeg,image/png,image/webp,application/pdf,application/dicom,.dcm" onChange={(e) => setFiles(Array.from(e.target.files ?? []))} />}
        </Field>
        <label className="check">
          <input type="checkbox" checked={c.consentGiven} onChange={(e) => setC({ ...c, consentGiven: e.target.checked })} /> {t('newCase.consent')}
        </label>
        {problems('consentGiven').length > 0 && <div className="field-error">{problems('consentGiven').join('; ')}</div>}
        <UploadList items={uploads} />
        {/* Each field's problem is said beside it; the alert only names what is not shown there. */}
        {form.error && !refused && <ErrorAlert error={form.error} shown={SHOWN} />}
        <button type="submit" disabled={form.busy || !!missing}>{form.busy ? t('newCase.sending') : t('newCase.submit')}</button>
      </form>
    </main>
  );
}

import { FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'wouter';
import { useNavigate } from '../routing';
import type { PatientView } from '@hub/contracts';
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
import { DraftSaved } from '../offline/DraftSaved';
import { onSettled, send, uploadsOf, onUploadProgress } from '../offline/outbox';
import { S } from '../offline/strings';
import { useDraft } from '../offline/useDraft';

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
  // The whole form (files included) is a draft on this device, and its idempotency key the action's key.
  const draft = useDraft('new-case', {
    patientId: params.get('patient') ?? '',
    specialtyCode: '',
    urgency: 'urgent',
    consentGiven: false,
    presentingComplaint: '',
    history: '',
    examination: '',
    workingDiagnosis: '',
    question: '',
    vitals: {} as Record<string, string>,
    files: [] as File[],
  });
  const { files, vitals, ...c } = draft.value;
  const setC = (next: typeof c) => draft.set((d) => ({ ...d, ...next }));
  const setVitals = (next: Record<string, string>) => draft.set((d) => ({ ...d, vitals: next }));
  const setFiles = (next: File[]) => draft.set((d) => ({ ...d, files: next }));
  const set = (k: keyof typeof c) => (e: { target: { value: string } }) => setC({ ...c, [k]: e.target.value });
  // Sent while the link was down: the action waits in the outbox; the case page opens once it is through.
  const [queued, setQueued] = useState(false);
  const [, setTick] = useState(0);
  useEffect(() => onUploadProgress(() => setTick((t) => t + 1)), []);
  useEffect(
    () => onSettled((id, o) => {
      if (id === draft.key && o.state === 'sent' && o.path) navigate(o.path);
    }),
    [draft.key, navigate],
  );
  const uploads = uploadsOf(draft.key);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = Object.fromEntries(Object.entries(vitals).filter(([, x]) => x !== '').map(([k, x]) => [k, Number(x)]));
    await form.submit(async () => {
      await draft.flush();
      const patient = patients.data?.find((p) => p.id === c.patientId);
      // A draft case first, so photos can be attached to it; submitted once every file has arrived. One outbox action,
      // keyed by the draft's key: a second click or a retry after a lost answer changes nothing on the hub.
      const outcome = await send({
        id: draft.key,
        label: S.newCaseLabel(patient ? `${patient.lastName}, ${patient.firstName}` : ''),
        draftId: draft.draftId ?? undefined,
        createCase: { ...c, vitals: v },
        files: files.map((f) => ({ name: f.name, blob: f })),
        request: files.length ? { method: 'POST', path: '/api/cases/:caseId/messages', body: { body: t('newCase.photosMessage', { count: files.length }) } } : undefined,
        submit: true,
        resultPath: '/cases/:caseId',
      });
      if (outcome.state === 'sent') navigate(outcome.path!);
      else if (outcome.state === 'queued') setQueued(true);
      else {
        await draft.renewKey();
        throw outcome.error;
      }
    });
  }

  const problems = (f: string) => form.problems(f);
  return (
    <main className="page narrow">
      <h1 ref={heading} tabIndex={-1}>{t('newCase.title')}</h1>
      {(refused ?? missing) && <CertificationGate needed={missing ?? refused!} action={t('newCase.gateAction')} />}
      {queued && <div role="status" className="notice" data-testid="queued-notice">{S.queued}</div>}
      <form onSubmit={submit} className="card" aria-label={t('newCase.form')}>
        <fieldset disabled={queued} className="plain">
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
        {files.length > 0 && <p className="muted" data-testid="draft-files">{files.map((f) => f.name).join(', ')}</p>}
        <label className="check">
          <input type="checkbox" checked={c.consentGiven} onChange={(e) => setC({ ...c, consentGiven: e.target.checked })} /> {t('newCase.consent')}
        </label>
        {problems('consentGiven').length > 0 && <div className="field-error">{problems('consentGiven').join('; ')}</div>}
        <UploadList items={uploads} />
        {/* Each field's problem is said beside it; the alert only names what is not shown there. */}
        {form.error && !refused && <ErrorAlert error={form.error} shown={SHOWN} />}
        <button type="submit" disabled={form.busy || !!missing}>{form.busy ? t('newCase.sending') : t('newCase.submit')}</button>
        <DraftSaved at={draft.savedAt} />
        </fieldset>
      </form>
    </main>
  );
}

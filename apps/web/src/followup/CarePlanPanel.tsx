import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Role, type CarePlanView, type CaseView, type FollowUpCheckView } from '@hub/contracts';
import { post } from '../api/client';
import { uploadToCase } from '../api/upload';
import { useAuth } from '../auth/AuthContext';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useSubmit } from '../components/useLoad';
import { formatDate, formatDateTime } from '../i18n/format';
import { newKey } from '../offline/db';

/** One check's form: the vital signs it asks for, the answer, the photo (uploaded to the case first). */
function RecordCheck({ caseId, check, onDone }: { caseId: string; check: FollowUpCheckView; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const action = useSubmit();
  // One key per form: a retry after a cut link is answered once.
  const [key] = useState(newKey);
  const [vitals, setVitals] = useState<Record<string, string>>({});
  const [answer, setAnswer] = useState('');
  const [note, setNote] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.submit(async () => {
      let attachmentId: string | undefined;
      if (photo) {
        attachmentId = await uploadToCase(caseId, photo, photo.name, (p) =>
          setProgress(t('followUp.uploading', { percent: p.total ? Math.floor((p.sent / p.total) * 100) : 0 })),
        );
      }
      setProgress(t('followUp.saving'));
      try {
        const numbers = Object.fromEntries(Object.entries(vitals).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, Number(v)]));
        await post(
          `/api/cases/${caseId}/checks/${check.id}`,
          {
            ...(Object.keys(numbers).length ? { vitals: numbers } : {}),
            ...(answer.trim() ? { answer: answer.trim() } : {}),
            ...(attachmentId ? { attachmentId } : {}),
            ...(note.trim() ? { note: note.trim() } : {}),
          },
          { idempotencyKey: key },
        );
      } finally {
        setProgress(null);
      }
      await onDone();
    });
  };
  return (
    <form className="record-check" aria-label={t('followUp.recordTitle', { day: check.day })} onSubmit={submit} data-testid={`record-check-${check.day}`}>
      <ErrorAlert error={action.error} shown={[...check.vitals.map((v) => `vitals.${v}`), 'answer', 'attachmentId', 'note']} />
      {check.vitals.map((v) => (
        <Field key={v} label={t(`vitals.${v}`)} problems={action.problems(`vitals.${v}`)}>
          {(fid) => <input id={fid} type="number" step="any" value={vitals[v] ?? ''} onChange={(e) => setVitals({ ...vitals, [v]: e.target.value })} />}
        </Field>
      ))}
      {check.question && (
        <Field label={`${t('followUp.answer')}: ${check.question}`} problems={action.problems('answer')}>
          {(fid) => <textarea id={fid} rows={2} value={answer} onChange={(e) => setAnswer(e.target.value)} />}
        </Field>
      )}
      {check.photo && (
        <Field label={t('followUp.photoFile')} problems={action.problems('attachmentId')}>
          {(fid) => <input id={fid} type="file" accept="image/*" capture="environment" onChange={(e) => setPhoto(e.target.files?.[0] ?? null)} />}
        </Field>
      )}
      <Field label={t('followUp.note')} problems={action.problems('note')}>{(fid) => <input id={fid} value={note} onChange={(e) => setNote(e.target.value)} />}</Field>
      {progress && <p role="status" className="notice">{progress}</p>}
      <button type="submit" disabled={action.busy}>{t('followUp.record')}</button>
    </form>
  );
}

/** The case's follow-up plan: medications, checks with their state, and (for the clinic) a form per open check. */
export function CarePlanPanel({ k, onChange }: { k: CaseView; onChange: () => Promise<void> }) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const plan: CarePlanView | null = k.plan;
  if (!plan) return null;
  const clinic = !!user?.memberships.some((m) => m.role === Role.FieldMedicalOfficer && m.facilityId === k.facilityId);
  const what = (c: FollowUpCheckView) =>
    [...c.vitals.map((v) => t(`vitals.short.${v}`)), ...(c.photo ? [t('followUp.askPhoto')] : []), ...(c.question ? [c.question] : [])].join(', ');
  return (
    <section className="card" aria-label={t('followUp.planTitle')} data-testid="care-plan">
      <h2>{t('followUp.planTitle')}</h2>
      {plan.instructions && <p>{plan.instructions}</p>}
      {plan.medications.length > 0 && (
        <>
          <h3>{t('followUp.medications')}</h3>
          <ul>
            {plan.medications.map((m, i) => (
              <li key={i}>{t('followUp.medicationLine', { drug: m.drug, dose: m.dose, route: t(`followUp.routes.${m.route}`), frequency: m.frequency, days: m.durationDays })}</li>
            ))}
          </ul>
        </>
      )}
      {plan.checks.length > 0 && (
        <>
          <h3>{t('followUp.checks')}</h3>
          <ol className="checks">
            {plan.checks.map((c) => (
              <li key={c.id} data-testid={`check-day-${c.day}`} data-state={c.state}>
                <strong>{t('followUp.checkLine', { day: c.day, date: formatDate(c.dueAt) })}</strong>{' '}
                <span className={`check-state ${c.state}`}>{t(`followUp.state.${c.state}`)}</span>
                <div className="muted">{t('followUp.asks', { what: what(c) })}</div>
                {c.recordedAt && (
                  <div>
                    {t('followUp.recordedBy', { date: formatDateTime(c.recordedAt), name: c.recordedByName ?? '' })}
                    {c.recordedVitals && <span className="vitals-line"> {Object.entries(c.recordedVitals).map(([v, n]) => <span key={v}>{t(`vitals.short.${v}`)} {n}</span>)}</span>}
                    {c.answer && <p>{c.answer}</p>}
                    {c.note && <p className="muted">{c.note}</p>}
                  </div>
                )}
                {!c.recordedAt && clinic && k.status !== 'cancelled' && <RecordCheck caseId={k.id} check={c} onDone={onChange} />}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

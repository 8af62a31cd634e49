import { FormEvent, lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'wouter';
import type { CaseView, EvacuationAdviceView } from '@hub/contracts';
import { ApiError, get, post } from '../api/client';
import { onNotification } from '../api/socket';
import { CaseConsultations } from '../call/CaseConsultations';
import { ErrorAlert } from '../components/Alert';
import { ConfirmButton } from '../components/ConfirmButton';
import { newKey } from '../offline/db';
import { DraftSaved } from '../offline/DraftSaved';
import { onUploadProgress, send, uploadsOf } from '../offline/outbox';
import { S } from '../offline/strings';
import { useDraft } from '../offline/useDraft';

import { Field } from '../components/Field';
import { AuthImage, UploadList } from '../components/Uploads';
import { queryClient, useApiQuery } from '../components/useApi';
import { BreakGlassOffer } from '../break-glass/BreakGlassOffer';
import { EmergencyBanner } from '../break-glass/EmergencyBanner';
import { useSubmit } from '../components/useLoad';
import { usePageTitle } from '../components/usePageTitle';
import { formatDateTime } from '../i18n/format';
import { specialtyName } from '../i18n/words';
import { isViewable, type ViewerItem } from '../viewer/viewable';
import { CarePlanPanel } from '../followup/CarePlanPanel';
import { EMPTY_PLAN, PlanEditor, toPlanBody, type PlanDraft } from '../followup/PlanEditor';

// The viewer (zoom and pan, and dwv for DICOM) loads when a file is first opened, not with the case page.
const AttachmentViewer = lazy(() => import('../viewer/AttachmentViewer').then((m) => ({ default: m.AttachmentViewer })));
// The trend chart carries recharts: loaded only when the case page shows it.
const VitalTrends = lazy(() => import('../followup/VitalTrends').then((m) => ({ default: m.VitalTrends })));

const VITAL_KEYS = ['heartRate', 'systolicBp', 'diastolicBp', 'respiratoryRate', 'spo2', 'temperatureC', 'gcs'];

/** "CASEVAC, priority, to Level 2" in the reader's language (null when no evacuation is advised). */
export function useEvacuationText() {
  const { t } = useTranslation();
  return (advice: EvacuationAdviceView | null | undefined): string | null => {
    if (!advice || advice.type === 'none') return null;
    return t('evacuation.banner', {
      type: t(`evacuation.${advice.type}`),
      priority: advice.priority ? t(`evacuation.priority.${advice.priority}`) : '',
      level: advice.destinationLevel,
    });
  };
}

export function CasePage() {
  const { t } = useTranslation();
  const { id } = useParams();
  // "Not found" (not there, or not the reader's to see) is an answer: a clinician may then break the glass.
  const c = useApiQuery<CaseView | null>([`/api/cases/${id}`], () =>
    get<CaseView>(`/api/cases/${id}`).catch((e) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }),
  );
  useEffect(() => onNotification((n) => n.caseId === id && void c.reload()), [id, c.reload]);
  const heading = usePageTitle(c.data ? c.data.reference : t('app.loading'));
  const evacuationText = useEvacuationText();
  const action = useSubmit();
  // The message and the answer being typed are drafts on this device; each becomes one outbox action with the draft's key.
  const message = useDraft(`case-message:${id}`, { text: '' });
  const text = message.value.text;
  const setText = (value: string) => message.set({ text: value });
  const [files, setFiles] = useState<File[]>([]);
  const [queued, setQueued] = useState(false);
  const [, setTick] = useState(0);
  useEffect(() => onUploadProgress(() => setTick((t) => t + 1)), []);
  const uploads = uploadsOf(message.key);
  const answerDraft = useDraft(`case-answer:${id}`, { assessment: '', recommendation: '', type: 'none', priority: 'priority', destinationLevel: '2', plan: EMPTY_PLAN as PlanDraft });
  const answer = answerDraft.value;
  const setAnswer = answerDraft.set;
  const [viewing, setViewing] = useState<string | null>(null);
  const [outcome, setOutcome] = useState({ outcome: 'treated_locally', evacuationDone: false, evacuationAvoided: false, note: '' });

  if (c.error) return <main className="page"><div role="alert" className="alert">{c.error}</div></main>;
  if (c.loading) return <main className="page muted">{t('app.loading')}</main>;
  if (!c.data) {
    return (
      <main className="page" data-testid="case-not-found">
        <div role="alert" className="alert">{t('errors.NOT_FOUND')}</div>
        <BreakGlassOffer caseId={id!} onOpened={c.reload} />
      </main>
    );
  }
  const k = c.data;
  const can = (a: string) => k.allowedActions.includes(a as never);
  const run = (path: string, body: object = {}) =>
    action.submit(async () => {
      await post(`/api/cases/${k.id}/${path}`, body, { idempotencyKey: newKey() });
      await message.clear();
      await c.reload();
    });
  /** A message, information for the specialist or an answer: through the outbox, so a cut link loses nothing. */
  const sendDraft = (draft: typeof message | typeof answerDraft, path: string, body: Record<string, unknown>, withFiles: boolean) =>
    action.submit(async () => {
      setQueued(false);
      await draft.flush();
      const outcome = await send({
        id: draft.key,
        label: S.messageLabel(k.reference),
        draftId: draft.draftId ?? undefined,
        caseId: k.id,
        files: withFiles ? files.map((f) => ({ name: f.name, blob: f })) : [],
        request: { method: 'POST', path: `/api/cases/${k.id}/${path}`, body },
      });
      if (outcome.state === 'refused') {
        await draft.renewKey();
        throw outcome.error;
      }
      if (withFiles) setFiles([]);
      await draft.clear();
      if (outcome.state === 'queued') setQueued(true);
      else await c.reload();
    });
  const fileUrl = (aid: string) => `/api/cases/${k.id}/attachments/${aid}`;
  const viewable: ViewerItem[] = k.attachments
    .filter((a) => a.status === 'ready' && isViewable(a))
    .map((a) => ({ id: a.id, filename: a.filename, mediaType: a.mediaType, url: fileUrl(a.id) }));
  const photos = (ids: string[]) =>
    ids.map((aid) => {
      const a = k.attachments.find((x) => x.id === aid);
      if (!a) return null;
      const open = viewable.some((v) => v.id === aid);
      const inner = a.hasThumbnail ? <AuthImage src={`${fileUrl(aid)}?thumbnail=1`} alt={a.filename} /> : <span className="file">{a.filename}</span>;
      return open ? (
        <button key={aid} type="button" className="thumb-button" aria-label={t('viewer.open', { name: a.filename })} onClick={() => setViewing(aid)}>
          {inner}
        </button>
      ) : (
        <span key={aid}>{inner}</span>
      );
    });
  const evacuation = evacuationText(k.evacuationAdvice);
  const answerFields = ['assessment', 'recommendation', 'evacuation.type', 'evacuation.priority', 'evacuation.destinationLevel'];
  const outcomeFields = ['outcome', 'note', 'evacuationDone', 'evacuationAvoided'];

  return (
    <main className="page" data-testid="case-page">
      <EmergencyBanner access={k.emergencyAccess} />
      {evacuation && (
        // The specialist's evacuation advice is what the clinic must act on first: at the top, in words.
        <section className="evacuation-banner" role="status" aria-label={t('evacuation.bannerTitle')} data-testid="evacuation-banner">
          <strong>{t('evacuation.bannerTitle')}:</strong> <span data-testid="evacuation-advice">{evacuation}</span>
        </section>
      )}
      <h1 ref={heading} tabIndex={-1}>
        {k.reference} · {specialtyName(t, k.specialtyCode)} <span className={`urgency ${k.urgency}`}>{t(`urgency.${k.urgency}`)}</span>
      </h1>
      <p>
        <strong data-testid="case-status">{t(`status.${k.status}`)}</strong>
        {k.assignedDoctorName && <> · {t('casePage.specialist', { name: k.assignedDoctorName })}</>}
        {k.deadlineAt && !['answered', 'closed', 'cancelled'].includes(k.status) && <> · {t('casePage.due', { date: formatDateTime(k.deadlineAt) })}</>}
        {k.overdue && <span className="field-error"> {t('cases.overdue')}</span>}
        {k.escalationLevel > 0 && <span className="notice"> {t('casePage.escalated', { level: k.escalationLevel })}</span>}
        {' · '}
        <span data-testid="officer-in-charge">{k.responsibleOfficerName ? t('rotations.inCharge', { name: k.responsibleOfficerName }) : t('rotations.inChargeClinic')}</span>
      </p>
      <div className="split">
        <section className="card">
          <h2>{t('casePage.patient')}</h2>
          <p>
            {k.patient.lastName}, {k.patient.firstName} · {t(`sex.${k.patient.sex}`)} · {t('casePage.born', { date: k.patient.dateOfBirth })} · {k.patient.contingent} · {t('casePage.serviceNumber', { number: k.patient.serviceNumber })}
          </p>
          <p className="muted">{t('casePage.bloodAllergies', { group: k.patient.bloodGroup === 'unknown' ? t('patients.bloodUnknown') : k.patient.bloodGroup, allergies: k.patient.allergies.join(', ') || t('common.noneKnown') })}</p>
          <h2>{t('casePage.referral')}</h2>
          <p><strong>{t('casePage.complaint')}</strong> {k.presentingComplaint}</p>
          {k.history && <p><strong>{t('casePage.history')}</strong> {k.history}</p>}
          <p className="vitals-line">
            {Object.entries(k.vitals).map(([key, v]) => <span key={key}>{VITAL_KEYS.includes(key) ? t(`vitals.short.${key}`) : key} {v}</span>)}
          </p>
          {k.examination && <p><strong>{t('casePage.examination')}</strong> {k.examination}</p>}
          {k.workingDiagnosis && <p><strong>{t('casePage.diagnosis')}</strong> {k.workingDiagnosis}</p>}
          <p><strong>{t('casePage.question')}</strong> {k.question}</p>
          {k.assessment && (
            <div className="answer" data-testid="case-answer">
              <h2>{t('casePage.answerTitle')}</h2>
              <p><strong>{t('casePage.assessment')}</strong> {k.assessment}</p>
              <p><strong>{t('casePage.recommendation')}</strong> {k.recommendation}</p>
              <p>
                <strong>{t('casePage.evacuation')}</strong> {evacuation ?? t('evacuation.notNeeded')}
              </p>
            </div>
          )}
          {k.outcome && (
            <div className="answer" data-testid="case-outcome">
              <h2>{t('casePage.outcomeTitle')}</h2>
              <p>
                {t(`outcome.${k.outcome.outcome}`)}
                {k.outcome.evacuationDone ? ` · ${t('casePage.evacuationDone')}` : ''}
                {k.outcome.evacuationAvoided ? ` · ${t('casePage.evacuationAvoided')}` : ''}
              </p>
              {k.outcome.note && <p>{k.outcome.note}</p>}
            </div>
          )}
        </section>
        <section className="card">
          <h2>{t('casePage.historyTitle')}</h2>
          <ol className="history">
            {k.transitions.map((tr, i) => (
              <li key={i}>
                {formatDateTime(tr.at)} · {t(`status.${tr.to}`)} {tr.actorName ? `(${tr.actorName})` : ''} {tr.note ? `— ${tr.note}` : ''}
              </li>
            ))}
          </ol>
        </section>
      </div>

      <CarePlanPanel
        k={k}
        onChange={async () => {
          // A recorded check changes the case and the patient's trend.
          await Promise.all([c.reload(), queryClient.invalidateQueries({ queryKey: [`/api/patients/${k.patient.id}/vital-trends`] })]);
        }}
      />

      <section className="card" aria-label={t('followUp.trendsTitle')}>
        <h2>{t('followUp.trendsTitle')}</h2>
        <Suspense fallback={<p className="muted" role="status">{t('followUp.trendsLoading')}</p>}>
          <VitalTrends patientId={k.patient.id} />
        </Suspense>
      </section>

      <CaseConsultations k={k} />

      <section className="card" aria-label={t('casePage.thread')}>
        <h2>{t('casePage.thread')}</h2>
        {k.messages.map((m) => (
          <div key={m.id} className={`message ${m.kind}`}>
            <div className="muted">{m.authorName} · {formatDateTime(m.createdAt)} {m.kind === 'information_request' ? `· ${t('casePage.asksInformation')}` : ''}</div>
            <p>{m.body}</p>
            <div className="photos">{photos(m.attachmentIds)}</div>
          </div>
        ))}
      </section>

      <section className="card actions" aria-label={t('casePage.actions')}>
        <ErrorAlert error={action.error} shown={[...(can('answer') ? answerFields : []), ...(can('close') ? outcomeFields : [])]} />
        <UploadList items={uploads} />
        {can('accept') && <button onClick={() => run('accept')}>{t('casePage.accept')}</button>}
        {(can('request_information') || can('resubmit') || !['closed', 'cancelled'].includes(k.status)) && (
          <Field label={can('resubmit') ? t('casePage.infoForSpecialist') : can('request_information') ? t('casePage.messageOrQuestion') : t('casePage.message')}>
            {(fid) => <textarea id={fid} rows={3} value={text} onChange={(e) => setText(e.target.value)} />}
          </Field>
        )}
        {(can('resubmit') || k.allowedActions.includes('cancel')) && (
          <Field label={t('casePage.addFiles')}>{(fid) => <input id={fid} type="file" multiple accept="image/*,application/pdf,application/dicom,.dcm" onChange={(e) => setFiles(Array.from(e.target.files ?? []))} />}</Field>
        )}
        <div className="buttons">
          {can('request_information') && <button className="secondary" onClick={() => run('request-information', { question: text })}>{t('casePage.askInformation')}</button>}
          {can('resubmit') && <button onClick={() => sendDraft(message, 'resubmit', { message: text, attachmentIds: [] }, true)}>{t('casePage.sendInformation')}</button>}
          {!['closed', 'cancelled'].includes(k.status) && !can('resubmit') && (
            <button className="secondary" onClick={() => sendDraft(message, 'messages', { body: text, attachmentIds: [] }, true)}>{t('casePage.sendMessage')}</button>
          )}
          {can('submit') && <button onClick={() => run('submit')}>{t('newCase.submit')}</button>}
        </div>
        {queued && <div role="status" className="notice" data-testid="queued-notice">{S.queued}</div>}
        <DraftSaved at={message.savedAt} />
        {can('answer') && (
          <form
            aria-label={t('casePage.answerForm')}
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              const evac = answer.type === 'none' ? { type: 'none' } : { type: answer.type, priority: answer.priority, destinationLevel: Number(answer.destinationLevel) };
              void sendDraft(answerDraft, 'answer', { assessment: answer.assessment, recommendation: answer.recommendation, evacuation: evac, plan: toPlanBody(answer.plan) }, false);
            }}
          >
            <h2>{t('casePage.answer')}</h2>
            <Field label={t('casePage.assessmentField')} problems={action.problems('assessment')}>{(fid) => <textarea id={fid} rows={3} value={answer.assessment} onChange={(e) => setAnswer({ ...answer, assessment: e.target.value })} />}</Field>
            <Field label={t('casePage.recommendationField')} problems={action.problems('recommendation')}>{(fid) => <textarea id={fid} rows={3} value={answer.recommendation} onChange={(e) => setAnswer({ ...answer, recommendation: e.target.value })} />}</Field>
            <Field label={t('casePage.evacuationAdvice')} problems={action.problems('evacuation.type')}>
              {(fid) => (
                <select id={fid} value={answer.type} onChange={(e) => setAnswer({ ...answer, type: e.target.value })}>
                  <option value="none">{t('evacuation.none')}</option><option value="medevac">{t('evacuation.medevac')}</option><option value="casevac">{t('evacuation.casevac')}</option>
                </select>
              )}
            </Field>
            {answer.type !== 'none' && (
              <>
                <Field label={t('casePage.evacuationPriority')} problems={action.problems('evacuation.priority')}>
                  {(fid) => (
                    <select id={fid} value={answer.priority} onChange={(e) => setAnswer({ ...answer, priority: e.target.value })}>
                      {(['urgent', 'priority', 'routine'] as const).map((p) => <option key={p} value={p}>{t(`evacuation.priorityLong.${p}`)}</option>)}
                    </select>
                  )}
                </Field>
                <Field label={t('casePage.destination')} problems={action.problems('evacuation.destinationLevel')}>
                  {(fid) => (
                    <select id={fid} value={answer.destinationLevel} onChange={(e) => setAnswer({ ...answer, destinationLevel: e.target.value })}>
                      {['2', '3', '4'].map((l) => <option key={l} value={l}>{t('evacuation.level', { level: l })}</option>)}
                    </select>
                  )}
                </Field>
              </>
            )}
            <PlanEditor value={answer.plan ?? EMPTY_PLAN} onChange={(plan) => setAnswer({ ...answer, plan })} problems={action.problems} />
            <button type="submit">{t('casePage.sendAnswer')}</button>
          </form>
        )}
        {can('close') && (
          <form
            aria-label={t('casePage.outcomeForm')}
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              void run('close', { ...outcome, note: outcome.note || undefined });
            }}
          >
            <h2>{t('casePage.outcomeForPatient')}</h2>
            <Field label={t('casePage.outcomeField')} problems={action.problems('outcome')}>
              {(fid) => (
                <select id={fid} value={outcome.outcome} onChange={(e) => setOutcome({ ...outcome, outcome: e.target.value })}>
                  {(['treated_locally', 'evacuated', 'transferred', 'died', 'other'] as const).map((o) => <option key={o} value={o}>{t(`outcome.${o}`)}</option>)}
                </select>
              )}
            </Field>
            <label className="check"><input type="checkbox" checked={outcome.evacuationDone} onChange={(e) => setOutcome({ ...outcome, evacuationDone: e.target.checked })} /> {t('casePage.evacuationDoneField')}</label>
            <label className="check"><input type="checkbox" checked={outcome.evacuationAvoided} onChange={(e) => setOutcome({ ...outcome, evacuationAvoided: e.target.checked })} /> {t('casePage.evacuationAvoidedField')}</label>
            {[...action.problems('evacuationDone'), ...action.problems('evacuationAvoided')].length > 0 && (
              <div className="field-error">{[...action.problems('evacuationDone'), ...action.problems('evacuationAvoided')].join('; ')}</div>
            )}
            <Field label={t('casePage.outcomeNote')} problems={action.problems('note')}>{(fid) => <textarea id={fid} rows={2} value={outcome.note} onChange={(e) => setOutcome({ ...outcome, note: e.target.value })} />}</Field>
            <button type="submit">{t('casePage.close')}</button>
          </form>
        )}
        {can('cancel') && (
          <ConfirmButton
            label={t('casePage.cancel')}
            question={t('casePage.cancelConfirm', { reference: k.reference })}
            yes={t('casePage.cancelYes')}
            no={t('casePage.cancelNo')}
            onConfirm={() => run('cancel', { note: text || undefined })}
          />
        )}
      </section>
      {viewing && (
        <Suspense fallback={<p className="muted" role="status">{t('viewer.loadingImage')}</p>}>
          <AttachmentViewer items={viewable} startId={viewing} onClose={() => setViewing(null)} />
        </Suspense>
      )}
    </main>
  );
}

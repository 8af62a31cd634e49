import { FormEvent, useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import type { CaseView } from '@hub/contracts';
import { get, post } from '../api/client';
import { newKey } from '../offline/db';
import { DraftSaved } from '../offline/DraftSaved';
import { onUploadProgress, send, uploadsOf } from '../offline/outbox';
import { S } from '../offline/strings';
import { useDraft } from '../offline/useDraft';
import { onNotification } from '../api/socket';
import { CaseConsultations } from '../call/CaseConsultations';
import { CertificationGate } from '../components/CertificationGate';
import { Field } from '../components/Field';
import { certificationRequired } from '../training/api';
import { AuthImage, UploadList } from '../components/Uploads';
import { useLoad, useSubmit } from '../components/useLoad';
import { STATUS_LABEL } from './CasesPage';

const VITAL_LABELS: Record<string, string> = {
  heartRate: 'HR', systolicBp: 'SBP', diastolicBp: 'DBP', respiratoryRate: 'RR', spo2: 'SpO2', temperatureC: 'T °C', gcs: 'GCS',
};

export function CasePage() {
  const { id } = useParams();
  const c = useLoad(() => get<CaseView>(`/api/cases/${id}`), [id]);
  useEffect(() => onNotification((n) => n.caseId === id && c.reload()), [id, c.reload]);
  const action = useSubmit();
  // The message and the answer being typed are drafts on this device; each becomes one outbox action with the draft's key.
  const message = useDraft(`case-message:${id}`, { text: '' });
  const text = message.value.text;
  const setText = (t: string) => message.set({ text: t });
  const [files, setFiles] = useState<File[]>([]);
  const [queued, setQueued] = useState(false);
  const [, setTick] = useState(0);
  useEffect(() => onUploadProgress(() => setTick((t) => t + 1)), []);
  const uploads = uploadsOf(message.key);
  const answerDraft = useDraft(`case-answer:${id}`, { assessment: '', recommendation: '', type: 'none', priority: 'priority', destinationLevel: '2' });
  const answer = answerDraft.value;
  const setAnswer = answerDraft.set;
  const [outcome, setOutcome] = useState({ outcome: 'treated_locally', evacuationDone: false, evacuationAvoided: false, note: '' });

  if (c.error) return <main className="page"><div role="alert" className="alert">{c.error}</div></main>;
  if (!c.data) return <main className="page muted">Loading…</main>;
  const k = c.data;
  const can = (a: string) => k.allowedActions.includes(a as never);
  const run = (path: string, body: object = {}) =>
    action.submit(async () => {
      await post(`/api/cases/${k.id}/${path}`, body, { idempotencyKey: newKey() });
      await message.clear();
      c.reload();
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
      else c.reload();
    });
  const photos = (ids: string[]) =>
    ids.map((aid) => {
      const a = k.attachments.find((x) => x.id === aid);
      if (!a) return null;
      return a.hasThumbnail ? (
        <AuthImage key={aid} src={`/api/cases/${k.id}/attachments/${aid}?thumbnail=1`} alt={a.filename} />
      ) : (
        <span key={aid} className="file">{a.filename}</span>
      );
    });

  return (
    <main className="page" data-testid="case-page">
      <h1>
        {k.reference} · {k.specialtyCode.replace(/_/g, ' ')} <span className={`urgency ${k.urgency}`}>{k.urgency}</span>
      </h1>
      <p>
        <strong data-testid="case-status">{STATUS_LABEL[k.status]}</strong>
        {k.assignedDoctorName && <> · specialist: {k.assignedDoctorName}</>}
        {k.deadlineAt && !['answered', 'closed', 'cancelled'].includes(k.status) && <> · answer due {new Date(k.deadlineAt).toLocaleString()}</>}
        {k.overdue && <span className="field-error"> (overdue)</span>}
        {k.escalationLevel > 0 && <span className="notice"> escalated (level {k.escalationLevel})</span>}
      </p>
      <div className="split">
        <section className="card">
          <h2>Patient</h2>
          <p>
            {k.patient.lastName}, {k.patient.firstName} · {k.patient.sex} · born {k.patient.dateOfBirth} · {k.patient.contingent} · service no. {k.patient.serviceNumber}
          </p>
          <p className="muted">Blood group {k.patient.bloodGroup}; allergies: {k.patient.allergies.join(', ') || 'none known'}</p>
          <h2>Referral</h2>
          <p><strong>Complaint:</strong> {k.presentingComplaint}</p>
          {k.history && <p><strong>History:</strong> {k.history}</p>}
          <p className="vitals-line">
            {Object.entries(k.vitals).map(([key, v]) => <span key={key}>{VITAL_LABELS[key] ?? key} {v}</span>)}
          </p>
          {k.examination && <p><strong>Examination:</strong> {k.examination}</p>}
          {k.workingDiagnosis && <p><strong>Working diagnosis:</strong> {k.workingDiagnosis}</p>}
          <p><strong>Question:</strong> {k.question}</p>
          {k.assessment && (
            <div className="answer" data-testid="case-answer">
              <h2>Specialist's answer</h2>
              <p><strong>Assessment:</strong> {k.assessment}</p>
              <p><strong>Recommendation:</strong> {k.recommendation}</p>
              <p data-testid="evacuation-advice">
                <strong>Evacuation:</strong>{' '}
                {k.evacuationAdvice?.type === 'none' ? 'not needed' : `${k.evacuationAdvice?.type.toUpperCase()}, priority ${k.evacuationAdvice?.priority}, to Level ${k.evacuationAdvice?.destinationLevel}`}
              </p>
            </div>
          )}
          {k.outcome && (
            <div className="answer" data-testid="case-outcome">
              <h2>Outcome</h2>
              <p>
                {k.outcome.outcome.replace(/_/g, ' ')}
                {k.outcome.evacuationDone ? ' · evacuation done' : ''}
                {k.outcome.evacuationAvoided ? ' · evacuation avoided' : ''}
              </p>
              {k.outcome.note && <p>{k.outcome.note}</p>}
            </div>
          )}
        </section>
        <section className="card">
          <h2>History</h2>
          <ol className="history">
            {k.transitions.map((t, i) => (
              <li key={i}>
                {new Date(t.at).toLocaleString()}: {STATUS_LABEL[t.to]} {t.actorName ? `(${t.actorName})` : ''} {t.note ? `— ${t.note}` : ''}
              </li>
            ))}
          </ol>
        </section>
      </div>

      <CaseConsultations k={k} />

      <section className="card" aria-label="Thread">
        <h2>Thread</h2>
        {k.messages.map((m) => (
          <div key={m.id} className={`message ${m.kind}`}>
            <div className="muted">{m.authorName} · {new Date(m.createdAt).toLocaleString()} {m.kind === 'information_request' ? '· asks for information' : ''}</div>
            <p>{m.body}</p>
            <div className="photos">{photos(m.attachmentIds)}</div>
          </div>
        ))}
      </section>

      <section className="card actions" aria-label="Actions">
        {action.error && (certificationRequired(action.error) ? <CertificationGate needed={certificationRequired(action.error)!} action="do this" /> : <div role="alert" className="alert">{action.error.message}</div>)}
        <UploadList items={uploads} />
        {can('accept') && <button onClick={() => run('accept')}>Accept case</button>}
        {(can('request_information') || can('resubmit') || !['closed', 'cancelled'].includes(k.status)) && (
          <Field label={can('resubmit') ? 'Information for the specialist' : can('request_information') ? 'Message or question' : 'Message'}>
            {(fid) => <textarea id={fid} rows={3} value={text} onChange={(e) => setText(e.target.value)} />}
          </Field>
        )}
        {(can('resubmit') || k.allowedActions.includes('cancel')) && (
          <Field label="Add photos">{(fid) => <input id={fid} type="file" multiple accept="image/*,application/pdf" onChange={(e) => setFiles(Array.from(e.target.files ?? []))} />}</Field>
        )}
        <div className="buttons">
          {can('request_information') && <button className="secondary" onClick={() => run('request-information', { question: text })}>Ask for more information</button>}
          {can('resubmit') && <button onClick={() => sendDraft(message, 'resubmit', { message: text, attachmentIds: [] }, true)}>Send information</button>}
          {!['closed', 'cancelled'].includes(k.status) && !can('resubmit') && (
            <button className="secondary" onClick={() => sendDraft(message, 'messages', { body: text, attachmentIds: [] }, true)}>Send message</button>
          )}
          {can('submit') && <button onClick={() => run('submit')}>Send to specialist</button>}
        </div>
        {queued && <div role="status" className="notice" data-testid="queued-notice">{S.queued}</div>}
        <DraftSaved at={message.savedAt} />
        {can('answer') && (
          <form
            aria-label="Answer form"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              const evacuation = answer.type === 'none' ? { type: 'none' } : { type: answer.type, priority: answer.priority, destinationLevel: Number(answer.destinationLevel) };
              void sendDraft(answerDraft, 'answer', { assessment: answer.assessment, recommendation: answer.recommendation, evacuation }, false);
            }}
          >
            <h2>Answer</h2>
            <Field label="Assessment" problems={action.problems('assessment')}>{(fid) => <textarea id={fid} rows={3} value={answer.assessment} onChange={(e) => setAnswer({ ...answer, assessment: e.target.value })} />}</Field>
            <Field label="Recommendation" problems={action.problems('recommendation')}>{(fid) => <textarea id={fid} rows={3} value={answer.recommendation} onChange={(e) => setAnswer({ ...answer, recommendation: e.target.value })} />}</Field>
            <Field label="Evacuation advice">
              {(fid) => (
                <select id={fid} value={answer.type} onChange={(e) => setAnswer({ ...answer, type: e.target.value })}>
                  <option value="none">No evacuation</option><option value="medevac">MEDEVAC</option><option value="casevac">CASEVAC</option>
                </select>
              )}
            </Field>
            {answer.type !== 'none' && (
              <>
                <Field label="Evacuation priority">
                  {(fid) => (
                    <select id={fid} value={answer.priority} onChange={(e) => setAnswer({ ...answer, priority: e.target.value })}>
                      <option value="urgent">Urgent (within 1 h)</option><option value="priority">Priority (within 4 h)</option><option value="routine">Routine (within 24 h)</option>
                    </select>
                  )}
                </Field>
                <Field label="Destination level">
                  {(fid) => (
                    <select id={fid} value={answer.destinationLevel} onChange={(e) => setAnswer({ ...answer, destinationLevel: e.target.value })}>
                      <option value="2">Level 2</option><option value="3">Level 3</option><option value="4">Level 4</option>
                    </select>
                  )}
                </Field>
              </>
            )}
            <button type="submit">Send answer</button>
          </form>
        )}
        {can('close') && (
          <form
            aria-label="Outcome report"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              void run('close', { ...outcome, note: outcome.note || undefined });
            }}
          >
            <h2>Outcome for the patient</h2>
            <Field label="Outcome">
              {(fid) => (
                <select id={fid} value={outcome.outcome} onChange={(e) => setOutcome({ ...outcome, outcome: e.target.value })}>
                  <option value="treated_locally">Treated locally</option><option value="evacuated">Evacuated</option><option value="transferred">Transferred</option><option value="died">Died</option><option value="other">Other</option>
                </select>
              )}
            </Field>
            <label className="check"><input type="checkbox" checked={outcome.evacuationDone} onChange={(e) => setOutcome({ ...outcome, evacuationDone: e.target.checked })} /> Evacuation done</label>
            <label className="check"><input type="checkbox" checked={outcome.evacuationAvoided} onChange={(e) => setOutcome({ ...outcome, evacuationAvoided: e.target.checked })} /> Evacuation avoided thanks to the consultation</label>
            <Field label="Outcome note" problems={action.problems('note')}>{(fid) => <textarea id={fid} rows={2} value={outcome.note} onChange={(e) => setOutcome({ ...outcome, note: e.target.value })} />}</Field>
            <button type="submit">Report outcome and close</button>
          </form>
        )}
        {can('cancel') && <button className="secondary" onClick={() => run('cancel', { note: text || undefined })}>Cancel case</button>}
      </section>
    </main>
  );
}

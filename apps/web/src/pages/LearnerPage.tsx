import { FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { CertificateView, CourseDetailView, LearnerProgressView } from '@hub/contracts';
import { get, post } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { CertificationGate } from '../components/CertificationGate';
import { useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { useMissingCertification } from '../training/useCertification';
import { day, T, today } from '../training/api';
import { CertificatesTable } from './MyCertificatesPage';

function SignOffForm({ courseId, userId, itemId, title, onDone }: { courseId: string; userId: string; itemId: string; title: string; onDone: () => Promise<unknown> }) {
  const [performedOn, setDate] = useState(today());
  const [note, setNote] = useState('');
  const form = useSubmit();
  const send = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async () => {
      await post(`${T}/courses/${courseId}/sign-offs`, { userId, itemId, performedOn, ...(note.trim() ? { note: note.trim() } : {}) });
      await onDone();
    });
  };
  return (
    <form className="row-form" aria-label={`Sign off: ${title}`} onSubmit={send}>
      <Field label="Demonstrated on" problems={form.problems('performedOn')}>{(id) => <input id={id} type="date" max={today()} value={performedOn} onChange={(e) => setDate(e.target.value)} />}</Field>
      <Field label="Note" problems={form.problems('note')}>{(id) => <input id={id} value={note} onChange={(e) => setNote(e.target.value)} />}</Field>
      <button type="submit" disabled={form.busy}>Sign off</button>
      <ErrorAlert error={form.error} shown={['performedOn', 'note']} />
    </form>
  );
}

function Revoke({ cert, onDone }: { cert: CertificateView; onDone: () => Promise<unknown> }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const form = useSubmit();
  if (cert.status === 'revoked') return null;
  if (!open) return <button type="button" className="secondary small" onClick={() => setOpen(true)}>Revoke…</button>;
  return (
    <form className="row-form" aria-label={`Revoke certificate ${cert.code}`} onSubmit={(e) => { e.preventDefault(); void form.submit(async () => { await post(`${T}/certificates/${cert.id}/revoke`, { reason }); setOpen(false); await onDone(); }); }}>
      <Field label="Reason for revocation" problems={form.problems('reason')}>{(id) => <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} />}</Field>
      <button type="submit" disabled={form.busy}>Revoke certificate</button>
      <ErrorAlert error={form.error} shown={['reason']} />
    </form>
  );
}

/** A trainer's view of one learner in one course: progress, practical sign-off, certificate (and its revocation). */
export function LearnerPage() {
  const { courseId, userId } = useParams();
  const course = useApi<CourseDetailView>(`${T}/courses/${courseId}`);
  const progress = useApi<LearnerProgressView>(`${T}/courses/${courseId}/progress?userId=${userId}`);
  const certs = useApi<CertificateView[]>(`${T}/certificates?userId=${userId}`);
  // Train the trainer: signing off needs the trainer's own valid certificate.
  const missing = useMissingCertification('trainer');
  const [early, setEarly] = useState(false);
  const error = course.error ?? progress.error;
  if (error) return <main className="page"><div role="alert" className="alert">{error}</div></main>;
  if (!course.data || !progress.data) return <main className="page muted">Loading…</main>;
  const c = course.data;
  const p = progress.data;
  const reload = () => Promise.all([progress.reload(), certs.reload()]);
  // Right after a certificate the server's progress restarts (it counts toward the next cycle). The next cycle's
  // sign-off forms wait until 30 days before expiry, unless the trainer asks for them; sign-offs already given show.
  const RECERTIFY_DAYS = 30;
  const nextCycleLater =
    p.certificate?.status === 'valid' &&
    p.signOffsDone === 0 &&
    new Date(p.certificate.expiresAt).getTime() - Date.now() > RECERTIFY_DAYS * 86_400_000 &&
    !early;
  return (
    <main className="page" data-testid="learner-page">
      <p className="muted"><Link to="/training/cohorts">Cohorts</Link> › {c.title}</p>
      <h1>{p.userName}: {c.title}</h1>
      <p data-testid="learner-summary">
        Lessons {p.lessonsDone}/{p.lessonsTotal}
        {p.quizRequired && <> · quiz {p.quizPassed ? 'passed' : `not passed (${p.attempts.filter((a) => a.submittedAt).length} attempt(s))`}</>}
        {' '}· practical skills {p.signOffsDone}/{p.signOffsTotal}
        {p.complete && <> · <span className="status valid">complete</span></>}
      </p>
      {p.certificate?.status === 'valid' && (
        <p className="notice" data-testid="learner-certified">
          Certified on {day(p.certificate.issuedAt)}, valid until {day(p.certificate.expiresAt)} (code {p.certificate.code}).
          {p.signOffsDone === 0 && ' Sign-offs from now on count toward the recertification.'}
        </p>
      )}
      <section className="card" aria-label="Practical sign-off">
        <h2>Practical sign-off</h2>
        {missing && <CertificationGate needed={missing} action="sign off practical skills" />}
        {!c.checklist.length && <p className="muted">This course has no practical skills.</p>}
        {nextCycleLater && c.checklist.length > 0 && (
          <p className="muted" data-testid="next-cycle-later">
            Certified: the sign-offs of the next cycle open 30 days before expiry.{' '}
            <button type="button" className="secondary small" onClick={() => setEarly(true)}>Sign off for recertification now</button>
          </p>
        )}
        <ol>
          {c.checklist.map((item) => {
            const s = p.signOffs.find((x) => x.itemId === item.id);
            return (
              <li key={item.id} data-testid={`skill-${item.position}`}>
                <strong>{item.title}</strong> {item.description && <span className="muted">— {item.description}</span>}
                {s ? (
                  <p className="notice">Signed off by {s.trainerName}, demonstrated on {day(s.performedOn)}{s.note ? `: ${s.note}` : ''}</p>
                ) : nextCycleLater ? null : (
                  <SignOffForm courseId={c.id} userId={p.userId} itemId={item.id} title={item.title} onDone={reload} />
                )}
              </li>
            );
          })}
        </ol>
      </section>
      <section className="card" aria-label="Certificates">
        <h2>Certificates</h2>
        {certs.error && <div role="alert" className="alert">{certs.error}</div>}
        {certs.data && !certs.data.length && <p className="muted">No certificate yet.</p>}
        {certs.data && certs.data.length > 0 && <CertificatesTable list={certs.data} extra={(cert) => <Revoke cert={cert} onDone={reload} />} />}
      </section>
    </main>
  );
}

import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import type { CertificateView, CourseDetailView, LearnerProgressView } from '@hub/contracts';
import { get, post } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { CertificationGate } from '../components/CertificationGate';
import { useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { useMissingCertification } from '../training/useCertification';
import { day, T, today } from '../training/api';
import { CertificatesTable } from './MyCertificatesPage';

function SignOffForm({ courseId, userId, itemId, title, onDone }: { courseId: string; userId: string; itemId: string; title: string; onDone: () => Promise<unknown> }) {
  const [performedOn, setDate] = useState(today());
  const [note, setNote] = useState('');
  const form = useSubmit();
  const { t } = useTranslation();
  const send = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async () => {
      await post(`${T}/courses/${courseId}/sign-offs`, { userId, itemId, performedOn, ...(note.trim() ? { note: note.trim() } : {}) });
      await onDone();
    });
  };
  return (
    <form className="row-form" aria-label={t('training.learner.signOffAria', { title })} onSubmit={send}>
      <Field label={t('training.learner.demonstratedOn')} problems={form.problems('performedOn')}>{(id) => <input id={id} type="date" max={today()} value={performedOn} onChange={(e) => setDate(e.target.value)} />}</Field>
      <Field label={t('training.learner.note')} problems={form.problems('note')}>{(id) => <input id={id} value={note} onChange={(e) => setNote(e.target.value)} />}</Field>
      <button type="submit" disabled={form.busy}>{t('training.learner.signOff')}</button>
      <ErrorAlert error={form.error} shown={['performedOn', 'note']} />
    </form>
  );
}

function Revoke({ cert, onDone }: { cert: CertificateView; onDone: () => Promise<unknown> }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const form = useSubmit();
  const { t } = useTranslation();
  if (cert.status === 'revoked') return null;
  if (!open) return <button type="button" className="secondary small" onClick={() => setOpen(true)}>{t('training.learner.revokeOpen')}</button>;
  return (
    <form className="row-form" aria-label={t('training.learner.revokeAria', { code: cert.code })} onSubmit={(e) => { e.preventDefault(); void form.submit(async () => { await post(`${T}/certificates/${cert.id}/revoke`, { reason }); setOpen(false); await onDone(); }); }}>
      <Field label={t('training.learner.revokeReason')} problems={form.problems('reason')}>{(id) => <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} />}</Field>
      <button type="submit" disabled={form.busy}>{t('training.learner.revoke')}</button>
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
  const { t } = useTranslation();
  const heading = usePageTitle(course.data && progress.data ? `${progress.data.userName}: ${course.data.title}` : null);
  const error = course.error ?? progress.error;
  if (error) return <main className="page"><div role="alert" className="alert">{error}</div></main>;
  if (!course.data || !progress.data) return <main className="page muted">{t('app.loading')}</main>;
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
      <p className="muted"><Link to="/training/cohorts">{t('training.cohorts.title')}</Link> › {c.title}</p>
      <h1 ref={heading} tabIndex={-1}>{p.userName}: {c.title}</h1>
      <p data-testid="learner-summary">
        {t('training.learner.lessons', { done: p.lessonsDone, total: p.lessonsTotal })}
        {p.quizRequired && <> · {p.quizPassed ? t('training.learner.quizPassed') : t('training.learner.quizNotPassed', { count: p.attempts.filter((a) => a.submittedAt).length })}</>}
        {' '}· {t('training.learner.skills', { done: p.signOffsDone, total: p.signOffsTotal })}
        {p.complete && <> · <span className="status valid">{t('training.learner.complete')}</span></>}
      </p>
      {p.certificate?.status === 'valid' && (
        <p className="notice" data-testid="learner-certified">
          {t('training.learner.certified', { issued: day(p.certificate.issuedAt), until: day(p.certificate.expiresAt), code: p.certificate.code })}
          {p.signOffsDone === 0 && ` ${t('training.learner.countsRecert')}`}
        </p>
      )}
      <section className="card" aria-label={t('training.learner.practical')}>
        <h2>{t('training.learner.practical')}</h2>
        {missing && <CertificationGate needed={missing} action={t('certification.roleActions.trainer')} />}
        {!c.checklist.length && <p className="muted">{t('training.learner.noSkills')}</p>}
        {nextCycleLater && c.checklist.length > 0 && (
          <p className="muted" data-testid="next-cycle-later">
            {t('training.learner.nextCycle', { days: RECERTIFY_DAYS })}{' '}
            <button type="button" className="secondary small" onClick={() => setEarly(true)}>{t('training.learner.early')}</button>
          </p>
        )}
        <ol>
          {c.checklist.map((item) => {
            const s = p.signOffs.find((x) => x.itemId === item.id);
            return (
              <li key={item.id} data-testid={`skill-${item.position}`}>
                <strong>{item.title}</strong> {item.description && <span className="muted">— {item.description}</span>}
                {s ? (
                  <p className="notice">{t('training.learner.signedOff', { name: s.trainerName, date: day(s.performedOn) })}{s.note ? `: ${s.note}` : ''}</p>
                ) : nextCycleLater ? null : (
                  <SignOffForm courseId={c.id} userId={p.userId} itemId={item.id} title={item.title} onDone={reload} />
                )}
              </li>
            );
          })}
        </ol>
      </section>
      <section className="card" aria-label={t('training.learner.certificates')}>
        <h2>{t('training.learner.certificates')}</h2>
        {certs.error && <div role="alert" className="alert">{certs.error}</div>}
        {certs.data && !certs.data.length && <p className="muted">{t('training.noCertificate')}</p>}
        {certs.data && certs.data.length > 0 && <CertificatesTable list={certs.data} extra={(cert) => <Revoke cert={cert} onDone={reload} />} />}
      </section>
    </main>
  );
}

import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { CertificateView, CourseSummaryView, MyTrainingStatus, ProgressSummary } from '@hub/contracts';
import { EXPIRY_WARNING_DAYS } from '@hub/contracts';
import { get } from '../api/client';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { certificationName } from '../i18n/words';
import { day, LANGUAGE_LABELS, T } from '../training/api';

/**
 * A valid certificate from this course that is not yet in its last 30 days. While it holds, nothing is needed: the
 * progress the server reports after a certificate counts toward the next (re)certification only.
 */
export function currentCertificate(list: CertificateView[] | undefined, courseId: string): CertificateView | undefined {
  return list?.find((c) => c.courseId === courseId && c.status === 'valid' && new Date(c.expiresAt).getTime() - Date.now() > EXPIRY_WARNING_DAYS * 86400_000);
}

/** What is still missing for a course, in words. */
export function stillNeeded(t: TFunction, p: ProgressSummary | null, c: Pick<CourseSummaryView, 'lessonCount' | 'hasQuiz' | 'checklistCount'>, certified = false): string[] {
  if (p?.complete || certified) return [];
  const lessonsLeft = p ? p.lessonsTotal - p.lessonsDone : c.lessonCount;
  const out: string[] = [];
  if (lessonsLeft > 0) out.push(t('training.needs.lessons', { count: lessonsLeft }));
  if ((p ? p.quizRequired : c.hasQuiz) && !p?.quizPassed) out.push(t('training.needs.quiz'));
  const signLeft = p ? p.signOffsTotal - p.signOffsDone : c.checklistCount;
  if (signLeft > 0) out.push(t('training.needs.skills', { count: signLeft }));
  return out;
}

export function ProgressLine({ p, c, certified }: { p: ProgressSummary | null; c: CourseSummaryView; certified?: CertificateView }) {
  const { t } = useTranslation();
  if (certified) return <div className="progress-line"><progress max={100} value={100} aria-label={t('training.progressIn', { title: c.title })} /><span>{t('training.certifiedUntil', { date: day(certified.expiresAt) })}</span></div>;
  const total = (p?.lessonsTotal ?? c.lessonCount) + (c.hasQuiz ? 1 : 0) + (p?.signOffsTotal ?? c.checklistCount);
  const done = (p?.lessonsDone ?? 0) + (p?.quizPassed ? 1 : 0) + (p?.signOffsDone ?? 0);
  const pct = total ? Math.round((done / total) * 100) : 0;
  return (
    <div className="progress-line">
      <progress max={100} value={p?.complete ? 100 : pct} aria-label={t('training.progressIn', { title: c.title })} />
      <span>{p?.complete ? t('training.complete') : t('training.percent', { value: pct })}</span>
    </div>
  );
}

/** The learner's home for training: what each needed certification requires, my courses with progress. */
export function MyTrainingPage() {
  const { t } = useTranslation();
  const heading = usePageTitle(t('training.myTraining'));
  const me = useApi<MyTrainingStatus>(`${T}/me`);
  const d = me.data;
  return (
    <main className="page" data-testid="my-training">
      <h1 ref={heading} tabIndex={-1}>{t('training.myTraining')}</h1>
      {me.error && <div role="alert" className="alert">{me.error}</div>}
      {d && (
        <>
          {d.required.length > 0 && (
            <section className="card" aria-label={t('training.required')}>
              <h2>{t('training.required')}</h2>
              <table>
                <thead><tr><th>{t('training.columns.certification')}</th><th>{t('training.columns.status')}</th><th>{t('training.columns.validUntil')}</th><th>{t('training.columns.whatINeed')}</th></tr></thead>
                <tbody>
                  {d.required.map((r) => {
                    const course = d.courses.find((c) => r.courses.some((x) => x.id === c.id));
                    const needs = r.valid && r.state !== 'expiring' ? [] : course ? stillNeeded(t, course.myProgress, course, !!currentCertificate(d.certificates, course.id)) : [];
                    return (
                      <tr key={r.kind} data-testid={`required-${r.kind}`}>
                        <td>{certificationName(t, r.kind)}</td>
                        <td><span className={`status ${r.state}`}>{t(`training.state.${r.state}`)}</span></td>
                        <td>{day(r.expiresAt)}</td>
                        <td>
                          {r.valid && r.state !== 'expiring' ? (
                            <span className="muted">{t('training.nothingNeeded')}</span>
                          ) : (
                            <>
                              {r.courses.length ? (
                                <>{t('training.courseLabel')} {r.courses.map((c, i) => <span key={c.id}>{i > 0 && ` ${t('training.or')} `}<Link to={`/training/courses/${c.id}`}>{c.title}</Link></span>)}</>
                              ) : (
                                <span className="muted">{t('training.noCourseYet')}</span>
                              )}
                              {needs.length > 0 && <ul className="needs">{needs.map((n) => <li key={n}>{n}</li>)}</ul>}
                            </>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </section>
          )}
          <section className="card" aria-label={t('training.myCourses')}>
            <h2>{t('training.courses')}</h2>
            {!d.courses.length && <p className="muted">{t('training.noCourseOpen')}</p>}
            <table>
              <thead><tr><th>{t('training.columns.course')}</th><th>{t('training.columns.language')}</th><th>{t('training.columns.certification')}</th><th>{t('training.columns.duration')}</th><th>{t('training.columns.progress')}</th><th>{t('training.columns.stillToDo')}</th></tr></thead>
              <tbody>
                {d.courses.map((c) => {
                  const cert = currentCertificate(d.certificates, c.id);
                  const needs = stillNeeded(t, c.myProgress, c, !!cert);
                  return (
                    <tr key={c.id}>
                      <td><Link to={`/training/courses/${c.id}`}>{c.title}</Link> <span className="muted">v{c.version}</span></td>
                      <td>{LANGUAGE_LABELS[c.language]}</td>
                      <td>{c.certificationKind ? certificationName(t, c.certificationKind) : '—'}</td>
                      <td>{t('training.minutes', { count: c.estimatedMinutes })}</td>
                      <td><ProgressLine p={c.myProgress} c={c} certified={cert} /></td>
                      <td>{needs.length ? needs.join(t('training.listSeparator')) : <span className="muted">—</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
          {d.cohorts.length > 0 && <p className="muted">{t('training.cohortsLine', { names: d.cohorts.map((c) => c.name).join(', ') })}</p>}
          <p><Link to="/training/certificates">{t('training.myCertificates')}</Link> · <Link to="/resources">{t('training.resourceCentre')}</Link></p>
        </>
      )}
    </main>
  );
}

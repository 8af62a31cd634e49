import { Link } from 'react-router-dom';
import type { CertificateView, CourseSummaryView, MyTrainingStatus, ProgressSummary } from '@hub/contracts';
import { CERTIFICATION_LABELS, EXPIRY_WARNING_DAYS } from '@hub/contracts';
import { get } from '../api/client';
import { useApi } from '../components/useApi';
import { day, LANGUAGE_LABELS, STATE_LABELS, T } from '../training/api';

/**
 * A valid certificate from this course that is not yet in its last 30 days. While it holds, nothing is needed: the
 * progress the server reports after a certificate counts toward the next (re)certification only.
 */
export function currentCertificate(list: CertificateView[] | undefined, courseId: string): CertificateView | undefined {
  return list?.find((c) => c.courseId === courseId && c.status === 'valid' && new Date(c.expiresAt).getTime() - Date.now() > EXPIRY_WARNING_DAYS * 86400_000);
}

/** What is still missing for a course, in words. */
export function stillNeeded(p: ProgressSummary | null, c: Pick<CourseSummaryView, 'lessonCount' | 'hasQuiz' | 'checklistCount'>, certified = false): string[] {
  if (p?.complete || certified) return [];
  const lessonsLeft = p ? p.lessonsTotal - p.lessonsDone : c.lessonCount;
  const out: string[] = [];
  if (lessonsLeft > 0) out.push(`${lessonsLeft} lesson${lessonsLeft > 1 ? 's' : ''} to read`);
  if ((p ? p.quizRequired : c.hasQuiz) && !p?.quizPassed) out.push('pass the quiz');
  const signLeft = p ? p.signOffsTotal - p.signOffsDone : c.checklistCount;
  if (signLeft > 0) out.push(`${signLeft} practical skill${signLeft > 1 ? 's' : ''} to be signed off by a trainer`);
  return out;
}

export function ProgressLine({ p, c, certified }: { p: ProgressSummary | null; c: CourseSummaryView; certified?: CertificateView }) {
  if (certified) return <div className="progress-line"><progress max={100} value={100} aria-label={`Progress in ${c.title}`} /><span>Certified until {day(certified.expiresAt)}</span></div>;
  const total = (p?.lessonsTotal ?? c.lessonCount) + (c.hasQuiz ? 1 : 0) + (p?.signOffsTotal ?? c.checklistCount);
  const done = (p?.lessonsDone ?? 0) + (p?.quizPassed ? 1 : 0) + (p?.signOffsDone ?? 0);
  const pct = total ? Math.round((done / total) * 100) : 0;
  return (
    <div className="progress-line">
      <progress max={100} value={p?.complete ? 100 : pct} aria-label={`Progress in ${c.title}`} />
      <span>{p?.complete ? 'Complete' : `${pct}%`}</span>
    </div>
  );
}

/** The learner's home for training: what each needed certification requires, my courses with progress. */
export function MyTrainingPage() {
  const me = useApi<MyTrainingStatus>(`${T}/me`);
  const d = me.data;
  return (
    <main className="page" data-testid="my-training">
      <h1>My training</h1>
      {me.error && <div role="alert" className="alert">{me.error}</div>}
      {d && (
        <>
          {d.required.length > 0 && (
            <section className="card" aria-label="Certifications I need">
              <h2>Certifications I need</h2>
              <table>
                <thead><tr><th>Certification</th><th>Status</th><th>Valid until</th><th>What I still need</th></tr></thead>
                <tbody>
                  {d.required.map((r) => {
                    const course = d.courses.find((c) => r.courses.some((x) => x.id === c.id));
                    const needs = r.valid && r.state !== 'expiring' ? [] : course ? stillNeeded(course.myProgress, course, !!currentCertificate(d.certificates, course.id)) : [];
                    return (
                      <tr key={r.kind} data-testid={`required-${r.kind}`}>
                        <td>{r.label}</td>
                        <td><span className={`status ${r.state}`}>{STATE_LABELS[r.state]}</span></td>
                        <td>{day(r.expiresAt)}</td>
                        <td>
                          {r.valid && r.state !== 'expiring' ? (
                            <span className="muted">Nothing: you may act.</span>
                          ) : (
                            <>
                              {r.courses.length ? (
                                <>Course: {r.courses.map((c, i) => <span key={c.id}>{i > 0 && ' or '}<Link to={`/training/courses/${c.id}`}>{c.title}</Link></span>)}</>
                              ) : (
                                <span className="muted">No course available yet; ask your trainer.</span>
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
          <section className="card" aria-label="My courses">
            <h2>Courses</h2>
            {!d.courses.length && <p className="muted">No course is open to you yet.</p>}
            <table>
              <thead><tr><th>Course</th><th>Language</th><th>Certification</th><th>Duration</th><th>Progress</th><th>Still to do</th></tr></thead>
              <tbody>
                {d.courses.map((c) => {
                  const cert = currentCertificate(d.certificates, c.id);
                  const needs = stillNeeded(c.myProgress, c, !!cert);
                  return (
                    <tr key={c.id}>
                      <td><Link to={`/training/courses/${c.id}`}>{c.title}</Link> <span className="muted">v{c.version}</span></td>
                      <td>{LANGUAGE_LABELS[c.language]}</td>
                      <td>{c.certificationKind ? CERTIFICATION_LABELS[c.certificationKind] : '—'}</td>
                      <td>{c.estimatedMinutes} min</td>
                      <td><ProgressLine p={c.myProgress} c={c} certified={cert} /></td>
                      <td>{needs.length ? needs.join('; ') : <span className="muted">—</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
          {d.cohorts.length > 0 && <p className="muted">Cohorts: {d.cohorts.map((c) => c.name).join(', ')}</p>}
          <p><Link to="/training/certificates">My certificates</Link> · <Link to="/resources">Resource centre</Link></p>
        </>
      )}
    </main>
  );
}

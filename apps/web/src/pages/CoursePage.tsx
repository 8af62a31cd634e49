import { Link, useNavigate, useParams } from 'react-router-dom';
import type { CourseDetailView, LearnerProgressView } from '@hub/contracts';
import { CERTIFICATION_LABELS } from '@hub/contracts';
import { get, post } from '../api/client';
import { Attachment } from '../components/Attachment';
import { ErrorAlert } from '../components/Alert';
import { Markdown } from '../components/Markdown';
import { useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { day, LANGUAGE_LABELS, T } from '../training/api';
import { currentCertificate, stillNeeded } from './MyTrainingPage';

/** A course for its learner: lessons (with the reader), the quiz, the practical skills and the certificate. */
export function CoursePage() {
  const { id, lessonId } = useParams();
  const navigate = useNavigate();
  const course = useApi<CourseDetailView>(`${T}/courses/${id}`);
  const progress = useApi<LearnerProgressView>(`${T}/courses/${id}/progress`);
  const done = useSubmit();

  if (course.error) return <main className="page"><div role="alert" className="alert">{course.error}</div></main>;
  if (!course.data) return <main className="page muted">Loading…</main>;
  const c = course.data;
  const p = progress.data;
  const lessonDone = (lid: string) => p?.lessonIdsDone.includes(lid) ?? false;
  const lesson = lessonId ? c.lessons.find((l) => l.id === lessonId) : undefined;
  const next = lesson ? c.lessons.find((l) => l.position > lesson.position) : undefined;
  const cert = p?.certificate && currentCertificate([p.certificate], c.id);
  const needs = stillNeeded(p ?? null, c, !!cert);

  return (
    <main className="page" data-testid="course-page">
      <p className="muted"><Link to="/training">My training</Link> › {c.title}</p>
      <div className="split">
        <div>
          {lesson ? (
            <article className="card lesson" aria-label={`Lesson: ${lesson.title}`} data-testid="lesson">
              <h1 lang={c.language}>{lesson.title}</h1>
              <p className="muted">Lesson {c.lessons.indexOf(lesson) + 1} of {c.lessons.length} · {lesson.estimatedMinutes} min</p>
              <Markdown text={lesson.body} testId="lesson-body" lang={c.language} />
              {lesson.attachments.length > 0 && (
                <section aria-label="Attachments">
                  <h2>Attachments</h2>
                  {lesson.attachments.map((a) => <Attachment key={a.id} a={a} />)}
                </section>
              )}
              <ErrorAlert error={done.error} />
              <div className="buttons">
                {lessonDone(lesson.id) ? (
                  <span className="status valid">Read</span>
                ) : (
                  <button
                    type="button"
                    disabled={done.busy}
                    onClick={() =>
                      done.submit(async () => {
                        await post(`${T}/courses/${c.id}/lessons/${lesson.id}/complete`);
                        await progress.reload();
                        navigate(next ? `/training/courses/${c.id}/lessons/${next.id}` : `/training/courses/${c.id}`);
                      })
                    }
                  >
                    {next ? 'Mark as read and continue' : 'Mark as read'}
                  </button>
                )}
                {next && lessonDone(lesson.id) && <Link className="button-link" to={`/training/courses/${c.id}/lessons/${next.id}`}>Next lesson</Link>}
              </div>
            </article>
          ) : (
            <section className="card" aria-label="About the course">
              <h1 lang={c.language}>{c.title}</h1>
              <p className="muted">
                {LANGUAGE_LABELS[c.language]} · version {c.version} · about {c.estimatedMinutes} min
                {c.certificationKind && <> · gives the <strong>{CERTIFICATION_LABELS[c.certificationKind]}</strong> certificate, valid {Math.round(c.validityDays / 365 * 10) / 10} years</>}
              </p>
              <Markdown text={c.description} lang={c.language} />
              {cert ? (
                <p className="notice" data-testid="course-certified">
                  You hold the {CERTIFICATION_LABELS[cert.kind]} certificate from this course, valid until {day(cert.expiresAt)}. Reading again or
                  retaking the quiz counts toward your recertification.
                </p>
              ) : p?.complete ? (
                <p className="notice" data-testid="course-complete">You completed this course{p.completedVersions[0] ? ` on ${day(p.completedVersions[0].completedAt)}` : ''}.</p>
              ) : (
                needs.length > 0 && <p data-testid="course-needs"><strong>Still to do:</strong> {needs.join('; ')}.</p>
              )}
              {c.lessons[0] && <Link className="button-link" to={`/training/courses/${c.id}/lessons/${(c.lessons.find((l) => !lessonDone(l.id)) ?? c.lessons[0]).id}`}>{p?.lessonsDone ? 'Continue reading' : 'Start the first lesson'}</Link>}
            </section>
          )}
        </div>
        <aside>
          <section className="card" aria-label="Lessons">
            <h2>Lessons</h2>
            <ol className="lesson-nav">
              {c.lessons.map((l) => (
                <li key={l.id} className={lessonDone(l.id) ? 'done' : ''}>
                  {l.id === lessonId ? <strong>{l.title}</strong> : <Link to={`/training/courses/${c.id}/lessons/${l.id}`}>{l.title}</Link>}
                  {lessonDone(l.id) && <span className="sr-only"> (read)</span>}
                </li>
              ))}
            </ol>
          </section>
          {c.quiz && (
            <section className="card" aria-label="Quiz">
              <h2>Quiz</h2>
              <p>{c.quiz.questionCount} questions · pass mark {c.quiz.passMark}%</p>
              {p?.quizPassed ? (
                <p><span className="status passed">Passed</span> {p.attempts.filter((a) => a.passed).map((a) => `${a.score}%`).slice(-1)}</p>
              ) : (
                <Link className="button-link" to={`/training/courses/${c.id}/quiz`}>Go to the quiz</Link>
              )}
            </section>
          )}
          {c.checklist.length > 0 && (
            <section className="card" aria-label="Practical skills">
              <h2>Practical skills</h2>
              <p className="muted">A trainer signs these off when you demonstrate them.</p>
              <ul className="lesson-nav">
                {c.checklist.map((item) => {
                  const s = p?.signOffs.find((x) => x.itemId === item.id);
                  return (
                    <li key={item.id} className={s ? 'done' : ''}>
                      {item.title}
                      {s && <span className="muted"> — {s.trainerName}, {day(s.performedOn)}</span>}
                    </li>
                  );
                })}
              </ul>
            </section>
          )}
          {p?.certificate && (
            <section className="card" aria-label="Certificate">
              <h2>Certificate</h2>
              <p><span className={`status ${p.certificate.status}`}>{p.certificate.status}</span> until {day(p.certificate.expiresAt)}</p>
              <Link to="/training/certificates">My certificates</Link>
            </section>
          )}
        </aside>
      </div>
    </main>
  );
}

import { Trans, useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { useNavigate } from '../routing';
import type { CourseDetailView, LearnerProgressView } from '@hub/contracts';
import { get, post } from '../api/client';
import { Attachment } from '../components/Attachment';
import { ErrorAlert } from '../components/Alert';
import { Markdown } from '../components/Markdown';
import { useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { certificationName } from '../i18n/words';
import { formatNumber } from '../i18n/format';
import { day, LANGUAGE_LABELS, T } from '../training/api';
import { currentCertificate, stillNeeded } from './MyTrainingPage';

/** A course for its learner: lessons (with the reader), the quiz, the practical skills and the certificate. */
export function CoursePage() {
  const { id, lessonId } = useParams();
  const navigate = useNavigate();
  const course = useApi<CourseDetailView>(`${T}/courses/${id}`);
  const progress = useApi<LearnerProgressView>(`${T}/courses/${id}/progress`);
  const done = useSubmit();
  const { t } = useTranslation();
  const lessonTitle = lessonId ? course.data?.lessons.find((l) => l.id === lessonId)?.title : undefined;
  const heading = usePageTitle(lessonTitle ?? course.data?.title);

  if (course.error) return <main className="page"><div role="alert" className="alert">{course.error}</div></main>;
  if (!course.data) return <main className="page muted">{t('app.loading')}</main>;
  const c = course.data;
  const p = progress.data;
  const lessonDone = (lid: string) => p?.lessonIdsDone.includes(lid) ?? false;
  const lesson = lessonId ? c.lessons.find((l) => l.id === lessonId) : undefined;
  const next = lesson ? c.lessons.find((l) => l.position > lesson.position) : undefined;
  const cert = p?.certificate && currentCertificate([p.certificate], c.id);
  const needs = stillNeeded(t, p ?? null, c, !!cert);

  return (
    <main className="page" data-testid="course-page">
      <p className="muted"><Link to="/training">{t('training.myTraining')}</Link> › {c.title}</p>
      <div className="split">
        <div>
          {lesson ? (
            <article className="card lesson" aria-label={t('training.course.lessonAria', { title: lesson.title })} data-testid="lesson">
              <h1 ref={heading} tabIndex={-1} lang={c.language}>{lesson.title}</h1>
              <p className="muted">{t('training.course.lessonOf', { n: c.lessons.indexOf(lesson) + 1, total: c.lessons.length, minutes: lesson.estimatedMinutes })}</p>
              <Markdown text={lesson.body} testId="lesson-body" lang={c.language} />
              {lesson.attachments.length > 0 && (
                <section aria-label={t('training.course.attachments')}>
                  <h2>{t('training.course.attachments')}</h2>
                  {lesson.attachments.map((a) => <Attachment key={a.id} a={a} />)}
                </section>
              )}
              <ErrorAlert error={done.error} />
              <div className="buttons">
                {lessonDone(lesson.id) ? (
                  <span className="status valid">{t('training.course.read')}</span>
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
                    {next ? t('training.course.markReadContinue') : t('training.course.markRead')}
                  </button>
                )}
                {next && lessonDone(lesson.id) && <Link className="button-link" to={`/training/courses/${c.id}/lessons/${next.id}`}>{t('training.course.nextLesson')}</Link>}
              </div>
            </article>
          ) : (
            <section className="card" aria-label={t('training.course.about')}>
              <h1 ref={heading} tabIndex={-1} lang={c.language}>{c.title}</h1>
              <p className="muted">
                {t('training.course.meta', { language: LANGUAGE_LABELS[c.language], version: c.version, minutes: c.estimatedMinutes })}
                {c.certificationKind && <> · <Trans i18nKey="training.course.gives" values={{ certification: certificationName(t, c.certificationKind), years: formatNumber(Math.round(c.validityDays / 365 * 10) / 10, 1) }} components={{ strong: <strong /> }} /></>}
              </p>
              <Markdown text={c.description} lang={c.language} />
              {cert ? (
                <p className="notice" data-testid="course-certified">
                  {t('training.course.holds', { certification: certificationName(t, cert.kind), date: day(cert.expiresAt) })}
                </p>
              ) : p?.complete ? (
                <p className="notice" data-testid="course-complete">{p.completedVersions[0] ? t('training.course.completedOn', { date: day(p.completedVersions[0].completedAt) }) : t('training.course.completed')}</p>
              ) : (
                needs.length > 0 && <p data-testid="course-needs"><strong>{t('training.course.stillToDo')}</strong> {needs.join(t('training.listSeparator'))}.</p>
              )}
              {c.lessons[0] && <Link className="button-link" to={`/training/courses/${c.id}/lessons/${(c.lessons.find((l) => !lessonDone(l.id)) ?? c.lessons[0]).id}`}>{p?.lessonsDone ? t('training.course.continueReading') : t('training.course.startFirst')}</Link>}
            </section>
          )}
        </div>
        <aside>
          <section className="card" aria-label={t('training.course.lessons')}>
            <h2>{t('training.course.lessons')}</h2>
            <ol className="lesson-nav">
              {c.lessons.map((l) => (
                <li key={l.id} className={lessonDone(l.id) ? 'done' : ''}>
                  {l.id === lessonId ? <strong>{l.title}</strong> : <Link to={`/training/courses/${c.id}/lessons/${l.id}`}>{l.title}</Link>}
                  {lessonDone(l.id) && <span className="sr-only"> {t('training.course.readMark')}</span>}
                </li>
              ))}
            </ol>
          </section>
          {c.quiz && (
            <section className="card" aria-label={t('training.quiz.crumb')}>
              <h2>{t('training.quiz.crumb')}</h2>
              <p>{t('training.quiz.rules', { count: c.quiz.questionCount, passMark: c.quiz.passMark })}</p>
              {p?.quizPassed ? (
                <p><span className="status passed">{t('training.quiz.passed')}</span> {p.attempts.filter((a) => a.passed).map((a) => `${a.score}%`).slice(-1)}</p>
              ) : (
                <Link className="button-link" to={`/training/courses/${c.id}/quiz`}>{t('training.course.goToQuiz')}</Link>
              )}
            </section>
          )}
          {c.checklist.length > 0 && (
            <section className="card" aria-label={t('training.course.skills')}>
              <h2>{t('training.course.skills')}</h2>
              <p className="muted">{t('training.course.skillsHint')}</p>
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
            <section className="card" aria-label={t('training.course.certificate')}>
              <h2>{t('training.course.certificate')}</h2>
              <p><span className={`status ${p.certificate.status}`}>{t(`training.certStatus.${p.certificate.status}`)}</span> {t('training.course.until', { date: day(p.certificate.expiresAt) })}</p>
              <Link to="/training/certificates">{t('training.myCertificates')}</Link>
            </section>
          )}
        </aside>
      </div>
    </main>
  );
}

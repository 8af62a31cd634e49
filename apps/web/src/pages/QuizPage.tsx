import { FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import type { AttemptQuestionResult, AttemptQuestionView, AttemptStartView, AttemptView, CourseDetailView, LearnerProgressView } from '@hub/contracts';
import { get, post } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { formatDate, formatDateTime } from '../i18n/format';
import { T } from '../training/api';

type Running = Pick<AttemptStartView, 'id' | 'attemptNumber' | 'passMark'> & { questions: AttemptQuestionView[] };

const isResult = (q: AttemptQuestionView | AttemptQuestionResult): q is AttemptQuestionResult => 'correctOptionIds' in q;

/**
 * One attempt at a time: the questions arrive shuffled and without their key; the result, the right answers and the
 * explanations appear only once the answers are submitted (graded on the server).
 */
export function QuizPage() {
  const { id } = useParams();
  const course = useApi<CourseDetailView>(`${T}/courses/${id}`);
  const progress = useApi<LearnerProgressView>(`${T}/courses/${id}/progress`);
  const [running, setRunning] = useState<Running | null>(null);
  const [result, setResult] = useState<AttemptView | null>(null);
  const [answers, setAnswers] = useState<Record<string, string[]>>({});
  const [now, setNow] = useState(Date.now());
  const action = useSubmit();
  const { t } = useTranslation();
  const heading = usePageTitle(course.data ? t('training.quiz.title', { title: course.data.title }) : null);

  // resume an attempt left open (reload, cut link)
  const open = progress.data?.attempts.find((a) => a.submittedAt === null);
  useEffect(() => {
    if (open && !running && !result) void get<AttemptView>(`${T}/attempts/${open.id}`).then((a) => setRunning(a as Running)).catch(() => undefined);
  }, [open?.id]); // eslint-disable-line react-hooks/exhaustive-deps
  // the cool-down counts down on screen
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 15000);
    return () => clearInterval(t);
  }, []);

  if (course.error) return <main className="page"><div role="alert" className="alert">{course.error}</div></main>;
  if (!course.data || !progress.data) return <main className="page muted">{t('app.loading')}</main>;
  const c = course.data;
  const p = progress.data;
  const quiz = c.quiz;
  const waitUntil = p.nextAttemptAt ? new Date(p.nextAttemptAt).getTime() : 0;
  const coolingDown = waitUntil > now;
  const noneLeft = p.attemptsLeft === 0;

  const start = () =>
    action.submit(async () => {
      const a = await post<AttemptStartView>(`${T}/courses/${c.id}/attempts`);
      setResult(null);
      setAnswers({});
      setRunning(a);
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!running) return;
    void action.submit(async () => {
      const body = { answers: running.questions.map((q) => ({ questionId: q.id, optionIds: answers[q.id] ?? [] })) };
      const r = await post<AttemptView>(`${T}/attempts/${running.id}/submit`, body);
      setRunning(null);
      setResult(r);
      await progress.reload();
    });
  };
  const choose = (q: AttemptQuestionView, optionId: string, on: boolean) =>
    setAnswers((a) => ({ ...a, [q.id]: q.type === 'multiple' ? (on ? [...(a[q.id] ?? []), optionId] : (a[q.id] ?? []).filter((x) => x !== optionId)) : [optionId] }));
  const unanswered = running ? running.questions.filter((q) => !(answers[q.id]?.length)).length : 0;

  return (
    <main className="page narrow" data-testid="quiz-page">
      <p className="muted"><Link to={`/training/courses/${c.id}`}>{c.title}</Link> › {t('training.quiz.crumb')}</p>
      <h1 ref={heading} tabIndex={-1}>{t('training.quiz.title', { title: c.title })}</h1>
      {!quiz ? (
        <p>{t('training.quiz.none')}</p>
      ) : (
        <p className="muted" data-testid="quiz-rules">
          {t('training.quiz.rules', { count: quiz.questionCount, passMark: quiz.passMark })} ·{' '}
          {p.attemptsLeft === null ? t('training.quiz.unlimited') : t('training.quiz.attemptsLeft', { count: p.attemptsLeft })}
          {quiz.cooldownMinutes > 0 && ` · ${t('training.quiz.cooldown', { minutes: quiz.cooldownMinutes })}`}
        </p>
      )}
      <ErrorAlert error={action.error} />
      {p.certificate?.status === 'valid' && !running && !result && (
        <p className="notice">{t('training.quiz.holdUntil', { date: formatDate(p.certificate.expiresAt) })}</p>
      )}

      {result && (
        <section className="card" aria-label={t('training.quiz.result')} data-testid="quiz-result">
          <h2>
            {t('training.quiz.resultTitle', { n: result.attemptNumber, score: result.score })}{' '}
            <span className={`status ${result.passed ? 'passed' : 'failed'}`} data-testid="quiz-verdict">{result.passed ? t('training.quiz.passed') : t('training.quiz.notPassed')}</span>
          </h2>
          <p className="muted">{t('training.quiz.passMark', { value: result.passMark })}</p>
          {!result.keyShown && <p className="notice" data-testid="key-withheld">{t('training.quiz.keyWithheld')}</p>}
          {(result.questions as (AttemptQuestionView | AttemptQuestionResult)[]).filter(isResult).map((q, i) => (
            <div key={q.id} className={`question ${q.correct ? 'correct' : 'wrong'}`} data-testid="question-result" lang={c.language}>
              <p><strong>{i + 1}. {q.text}</strong> — {q.correct ? t('training.quiz.correct') : t('training.quiz.wrong')}</p>
              <ul>
                {q.options.map((o) => (
                  <li key={o.id}>
                    {o.text}
                    {q.correctOptionIds.includes(o.id) && <strong> ✓ {t('training.quiz.rightAnswer')}</strong>}
                    {q.chosenOptionIds.includes(o.id) && <em> {t('training.quiz.yourAnswer')}</em>}
                  </li>
                ))}
              </ul>
              {q.explanation && <div className="explanation">{q.explanation}</div>}
            </div>
          ))}
        </section>
      )}

      {running ? (
        <form className="card" aria-label={t('training.quiz.attempt', { n: running.attemptNumber })} onSubmit={submit}>
          <h2>{t('training.quiz.attempt', { n: running.attemptNumber })}</h2>
          {running.questions.map((q, i) => (
            <fieldset key={q.id} className="question" lang={c.language}>
              <legend>{i + 1}. {q.text}{q.type === 'multiple' && <span className="muted"> {t('training.quiz.chooseEvery')}</span>}</legend>
              {q.options.map((o) => (
                <label key={o.id} className="check">
                  <input
                    type={q.type === 'multiple' ? 'checkbox' : 'radio'}
                    name={q.id}
                    checked={answers[q.id]?.includes(o.id) ?? false}
                    onChange={(e) => choose(q, o.id, e.target.checked)}
                  />{' '}
                  {o.text}
                </label>
              ))}
            </fieldset>
          ))}
          {unanswered > 0 && <p className="muted">{t('training.quiz.unanswered', { count: unanswered })}</p>}
          <button type="submit" disabled={action.busy}>{action.busy ? t('training.quiz.submitting') : t('training.quiz.submit')}</button>
        </form>
      ) : quiz && p.quizPassed ? (
        <p className="notice">{t('training.quiz.passedQuiz')} <Link to={`/training/courses/${c.id}`}>{t('training.quiz.backToCourse')}</Link></p>
      ) : quiz ? (
        <div className="card">
          {noneLeft ? (
            <p data-testid="quiz-blocked">{t('training.quiz.noneLeft')}</p>
          ) : coolingDown ? (
            <p data-testid="quiz-blocked">{t('training.quiz.nextFrom', { time: formatDateTime(new Date(waitUntil)) })}</p>
          ) : (
            <button type="button" onClick={start} disabled={action.busy}>{result || p.attempts.length ? t('training.quiz.startNew') : t('training.quiz.start')}</button>
          )}
        </div>
      ) : null}

      {p.attempts.filter((a) => a.submittedAt).length > 0 && (
        <section aria-label={t('training.quiz.myAttempts')}>
          <h2>{t('training.quiz.myAttempts')}</h2>
          <table>
            <thead><tr><th>#</th><th>{t('training.quiz.submitted')}</th><th>{t('training.quiz.score')}</th><th>{t('training.quiz.result')}</th></tr></thead>
            <tbody>
              {p.attempts.filter((a) => a.submittedAt).map((a) => (
                <tr key={a.id}><td>{a.attemptNumber}</td><td>{formatDateTime(a.submittedAt)}</td><td>{a.score}%</td><td>{a.passed ? t('training.quiz.passedLower') : t('training.quiz.notPassedLower')}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </main>
  );
}

import { FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { useNavigate } from '../routing';
import type {
  AttachmentView,
  CertificationKind,
  ChecklistItemView,
  CourseDetailView,
  CourseSummaryView,
  CreateCourseRequest,
  LessonView,
  QuestionType,
  QuizEditorView,
  QuizInput,
  TrainingLanguage,
} from '@hub/contracts';
import { CERTIFICATION_KINDS, Role } from '@hub/contracts';
import { api, ApiError, del, get, patch, post } from '../api/client';
import i18n from '../i18n';
import { errorText } from '../i18n/errors';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { certificationName, roleName } from '../i18n/words';
import { useAuth } from '../auth/AuthContext';
import { formatSize, LANGUAGE_LABELS, T, uploadRaw } from '../training/api';

const LEARNER_ROLES = [Role.FieldMedicalOfficer, Role.ReferenceDoctor, Role.HealthManager, Role.Trainer];

type CourseFields = Omit<CreateCourseRequest, 'missionId'>;
const emptyCourse = (): CourseFields => ({ title: '', description: '', language: 'en', targetRoles: [Role.FieldMedicalOfficer], estimatedMinutes: 30, certificationKind: null, validityDays: 730 });

function CourseForm({ value, onChange, problems }: { value: CourseFields; onChange: (v: CourseFields) => void; problems: (f: string) => string[] }) {
  const set = <K extends keyof CourseFields>(k: K, v: CourseFields[K]) => onChange({ ...value, [k]: v });
  const { t } = useTranslation();
  return (
    <>
      <Field label={t('training.editor.title')} problems={problems('title')}>{(id) => <input id={id} value={value.title} onChange={(e) => set('title', e.target.value)} />}</Field>
      <Field label={t('training.cohorts.description')} problems={problems('description')}>{(id) => <textarea id={id} rows={3} value={value.description} onChange={(e) => set('description', e.target.value)} />}</Field>
      <div className="editor-grid">
        <Field label={t('training.columns.language')} problems={problems('language')}>
          {(id) => (
            <select id={id} value={value.language} onChange={(e) => set('language', e.target.value as TrainingLanguage)}>
              {Object.entries(LANGUAGE_LABELS).map(([k, l]) => <option key={k} value={k}>{l}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('training.editor.duration')} problems={problems('estimatedMinutes')}>
          {(id) => <input id={id} type="number" min={1} value={value.estimatedMinutes} onChange={(e) => set('estimatedMinutes', Number(e.target.value))} />}
        </Field>
        <Field label={t('training.editor.certificationGiven')} problems={problems('certificationKind')}>
          {(id) => (
            <select id={id} value={value.certificationKind ?? ''} onChange={(e) => set('certificationKind', (e.target.value || null) as CertificationKind | null)}>
              <option value="">{t('training.editor.noCertificate')}</option>
              {CERTIFICATION_KINDS.map((k) => <option key={k} value={k}>{certificationName(t, k)}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('training.editor.validity')} problems={problems('validityDays')}>
          {(id) => <input id={id} type="number" min={1} value={value.validityDays ?? 730} onChange={(e) => set('validityDays', Number(e.target.value))} />}
        </Field>
      </div>
      <fieldset className="field">
        <legend>{t('training.editor.targetRoles')}</legend>
        <div className="checks">
          {LEARNER_ROLES.map((r) => (
            <label key={r} className="check">
              <input type="checkbox" checked={value.targetRoles.includes(r)} onChange={(e) => set('targetRoles', e.target.checked ? [...value.targetRoles, r] : value.targetRoles.filter((x) => x !== r))} /> {roleName(t, r)}
            </label>
          ))}
        </div>
        {problems('targetRoles').length > 0 && <div className="field-error">{problems('targetRoles').join('; ')}</div>}
      </fieldset>
    </>
  );
}

/** Trainer's list of courses they manage, and a new course. */
export function CoursesManagePage() {
  const { user } = useAuth();
  const navigate = useNavigate();
  const courses = useApi<CourseSummaryView[]>(`${T}/courses`);
  const missions = [...new Map(user?.memberships.filter((m) => m.role === Role.Trainer && m.missionId).map((m) => [m.missionId!, m.missionCode!])).entries()];
  const [missionId, setMissionId] = useState('');
  const [draft, setDraft] = useState(emptyCourse());
  const form = useSubmit();
  const { t } = useTranslation();
  const heading = usePageTitle(t('training.courses'));
  const create = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async () => {
      const c = await post<CourseDetailView>(`${T}/courses`, { ...draft, ...(missionId || missions[0] ? { missionId: missionId || missions[0][0] } : {}) });
      navigate(`/training/manage/${c.id}`);
    });
  };
  return (
    <main className="page">
      <h1 ref={heading} tabIndex={-1}>{t('training.courses')}</h1>
      {courses.error && <div role="alert" className="alert">{courses.error}</div>}
      <table>
        <thead><tr><th>{t('training.columns.course')}</th><th>{t('training.columns.language')}</th><th>{t('training.columns.status')}</th><th>{t('training.editor.version')}</th><th>{t('training.columns.certification')}</th><th>{t('training.course.lessons')}</th><th>{t('training.quiz.crumb')}</th><th>{t('training.editor.skills')}</th></tr></thead>
        <tbody>
          {courses.data?.map((c) => (
            <tr key={c.id}>
              <td>{c.canManage ? <Link to={`/training/manage/${c.id}`}>{c.title}</Link> : <Link to={`/training/courses/${c.id}`}>{c.title}</Link>}</td>
              <td>{LANGUAGE_LABELS[c.language]}</td>
              <td><span className={`status ${c.status}`}>{t(`training.courseStatus.${c.status}`)}</span></td>
              <td>{c.version}</td>
              <td>{c.certificationKind ? certificationName(t, c.certificationKind) : '—'}</td>
              <td>{c.lessonCount}</td>
              <td>{c.hasQuiz ? t('training.editor.yes') : '—'}</td>
              <td>{c.checklistCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="card inline-form" aria-label={t('training.editor.newCourse')} onSubmit={create}>
        <h2>{t('training.editor.newCourse')}</h2>
        {missions.length > 1 && (
          <Field label={t('training.cohorts.mission')}>
            {(id) => <select id={id} value={missionId} onChange={(e) => setMissionId(e.target.value)}>{missions.map(([mid, code]) => <option key={mid} value={mid}>{code}</option>)}</select>}
          </Field>
        )}
        <CourseForm value={draft} onChange={setDraft} problems={form.problems} />
        <ErrorAlert error={form.error} shown={['title', 'description', 'language', 'estimatedMinutes', 'certificationKind', 'validityDays', 'targetRoles']} />
        <button type="submit" disabled={form.busy}>{t('training.editor.createCourse')}</button>
      </form>
    </main>
  );
}

function LessonEditor({ courseId, lesson, onSaved }: { courseId: string; lesson?: LessonView; onSaved: () => Promise<unknown> }) {
  const [v, setV] = useState({ title: lesson?.title ?? '', body: lesson?.body ?? '', estimatedMinutes: lesson?.estimatedMinutes ?? 10 });
  const [attachments, setAttachments] = useState<AttachmentView[]>(lesson?.attachments ?? []);
  const form = useSubmit();
  const { t } = useTranslation();
  const label = lesson ? t('training.editor.lessonLabel', { n: lesson.position + 1, title: lesson.title }) : t('training.editor.newLesson');
  const save = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async () => {
      if (lesson) await patch(`${T}/courses/${courseId}/lessons/${lesson.id}`, v);
      else {
        await post(`${T}/courses/${courseId}/lessons`, v);
        setV({ title: '', body: '', estimatedMinutes: 10 });
      }
      await onSaved();
    });
  };
  return (
    <form className="subform" aria-label={label} onSubmit={save}>
      <h3>{label}</h3>
      <div className="editor-grid">
        <Field label={t('training.editor.lessonTitle')} problems={form.problems('title')}>{(id) => <input id={id} value={v.title} onChange={(e) => setV({ ...v, title: e.target.value })} />}</Field>
        <Field label={t('training.editor.minutes')} problems={form.problems('estimatedMinutes')}>{(id) => <input id={id} type="number" min={1} value={v.estimatedMinutes} onChange={(e) => setV({ ...v, estimatedMinutes: Number(e.target.value) })} />}</Field>
      </div>
      <Field label={t('training.editor.lessonText')} problems={form.problems('body')}>{(id) => <textarea id={id} rows={6} value={v.body} onChange={(e) => setV({ ...v, body: e.target.value })} />}</Field>
      {lesson && (
        <>
          <ul>{attachments.map((a) => <li key={a.id}>{a.filename} <span className="muted">{a.mediaType}, {formatSize(a.size)}</span></li>)}</ul>
          <Field label={t('training.editor.addFile')}>
            {(id) => (
              <input
                id={id}
                type="file"
                accept="image/jpeg,image/png,image/webp,application/pdf,video/mp4,video/webm"
                onChange={(e) => {
                  const f = e.target.files?.[0];
                  if (!f) return;
                  e.target.value = '';
                  void form.submit(async () => {
                    const a = await uploadRaw<AttachmentView>(`${T}/courses/${courseId}/lessons/${lesson.id}/attachments?filename=${encodeURIComponent(f.name)}`, f);
                    setAttachments((l) => [...l, a]);
                  });
                }}
              />
            )}
          </Field>
        </>
      )}
      <ErrorAlert error={form.error} shown={['title', 'body', 'estimatedMinutes']} />
      <div className="buttons">
        <button type="submit" disabled={form.busy}>{lesson ? t('training.editor.saveLesson') : t('training.editor.addLesson')}</button>
        {lesson && (
          <button type="button" className="secondary" onClick={() => window.confirm(t('training.editor.deleteLessonConfirm', { title: lesson.title })) && void form.submit(async () => { await del(`${T}/courses/${courseId}/lessons/${lesson.id}`); await onSaved(); })}>
            {t('training.editor.deleteLesson')}
          </button>
        )}
      </div>
    </form>
  );
}

type QuizDraft = QuizInput & { maxAttempts: number | null; cooldownMinutes: number };
const newQuestion = (type: QuestionType = 'single'): QuizDraft['questions'][number] => ({
  type,
  text: '',
  explanation: '',
  options: type === 'true_false' ? [{ text: i18n.t('training.editor.true'), correct: true }, { text: i18n.t('training.editor.false'), correct: false }] : [{ text: '', correct: true }, { text: '', correct: false }],
});

function QuizEditor({ courseId, onSaved }: { courseId: string; onSaved: () => Promise<unknown> }) {
  const [q, setQ] = useState<QuizDraft | null>(null);
  const form = useSubmit();
  const [saved, setSaved] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { t } = useTranslation();
  useEffect(() => {
    get<QuizEditorView>(`${T}/courses/${courseId}/quiz`)
      .then((v) => setQ(v))
      // 404: no quiz yet, start from a blank one
      .catch((e) => (e instanceof ApiError && e.status === 404 ? setQ({ passMark: 80, maxAttempts: 3, cooldownMinutes: 60, questions: [newQuestion()] }) : setLoadError(t('training.editor.quizLoadFailed', { detail: errorText(t, e) }))));
  }, [courseId]);
  if (loadError) return <div role="alert" className="alert">{loadError}</div>;
  if (!q) return <p className="muted">{t('training.editor.loadingQuiz')}</p>;
  const setQuestion = (i: number, next: Partial<QuizDraft['questions'][number]>) => setQ({ ...q, questions: q.questions.map((x, j) => (j === i ? { ...x, ...next } : x)) });
  const save = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    void form.submit(async () => {
      setQ(await api<QuizEditorView>('PUT', `${T}/courses/${courseId}/quiz`, q));
      setSaved(true);
      await onSaved();
    });
  };
  return (
    <form aria-label={t('training.quiz.crumb')} onSubmit={save}>
      <div className="editor-grid">
        <Field label={t('training.editor.passMark')} problems={form.problems('passMark')}>{(id) => <input id={id} type="number" value={q.passMark} onChange={(e) => setQ({ ...q, passMark: Number(e.target.value) })} />}</Field>
        <Field label={t('training.editor.attemptLimit')} problems={form.problems('maxAttempts')}>
          {(id) => <input id={id} type="number" min={1} value={q.maxAttempts ?? ''} onChange={(e) => setQ({ ...q, maxAttempts: e.target.value === '' ? null : Number(e.target.value) })} />}
        </Field>
        <Field label={t('training.editor.cooldown')} problems={form.problems('cooldownMinutes')}>
          {(id) => <input id={id} type="number" min={0} value={q.cooldownMinutes} onChange={(e) => setQ({ ...q, cooldownMinutes: Number(e.target.value) })} />}
        </Field>
      </div>
      {q.questions.map((question, i) => (
        <fieldset key={question.id ?? `new-${i}`} className="question" aria-label={t('training.editor.question', { n: i + 1 })}>
          <legend>{t('training.editor.question', { n: i + 1 })}</legend>
          <div className="editor-grid">
            <Field label={t('training.editor.questionType')} problems={form.problems(`questions.${i}.type`)}>
              {(id) => (
                <select id={id} value={question.type} onChange={(e) => setQuestion(i, e.target.value === 'true_false' ? { type: 'true_false', options: newQuestion('true_false').options } : { type: e.target.value as QuestionType })}>
                  <option value="single">{t('training.editor.single')}</option>
                  <option value="multiple">{t('training.editor.multiple')}</option>
                  <option value="true_false">{t('training.editor.trueFalse')}</option>
                </select>
              )}
            </Field>
          </div>
          <Field label={t('training.editor.questionText')} problems={form.problems(`questions.${i}.text`)}>{(id) => <input id={id} value={question.text} onChange={(e) => setQuestion(i, { text: e.target.value })} />}</Field>
          <div role="group" aria-label={t('training.editor.optionsOf', { n: i + 1 })}>
            {question.options.map((o, k) => (
              <div key={o.id ?? `o-${k}`} className="option-row">
                <input
                  type={question.type === 'multiple' ? 'checkbox' : 'radio'}
                  name={`correct-${i}`}
                  aria-label={t('training.editor.optionCorrect', { n: k + 1 })}
                  checked={o.correct}
                  onChange={(e) => setQuestion(i, { options: question.options.map((x, m) => ({ ...x, correct: question.type === 'multiple' ? (m === k ? e.target.checked : x.correct) : m === k })) })}
                />
                <input type="text" aria-label={t('training.editor.option', { n: k + 1 })} value={o.text} onChange={(e) => setQuestion(i, { options: question.options.map((x, m) => (m === k ? { ...x, text: e.target.value } : x)) })} />
                {question.type !== 'true_false' && question.options.length > 2 && (
                  <button type="button" className="secondary small" aria-label={t('training.editor.removeOption', { n: k + 1 })} onClick={() => setQuestion(i, { options: question.options.filter((_, m) => m !== k) })}>✕</button>
                )}
              </div>
            ))}
            {form.problems(`questions.${i}.options`).length > 0 && <div className="field-error">{form.problems(`questions.${i}.options`).join('; ')}</div>}
            {question.type !== 'true_false' && <button type="button" className="secondary small" onClick={() => setQuestion(i, { options: [...question.options, { text: '', correct: false }] })}>{t('training.editor.addOption')}</button>}
          </div>
          <Field label={t('training.editor.explanation')} problems={form.problems(`questions.${i}.explanation`)}>{(id) => <textarea id={id} rows={2} value={question.explanation} onChange={(e) => setQuestion(i, { explanation: e.target.value })} />}</Field>
          <button type="button" className="secondary small" onClick={() => setQ({ ...q, questions: q.questions.filter((_, j) => j !== i) })}>{t('training.editor.removeQuestion')}</button>
        </fieldset>
      ))}
      <div className="buttons">
        <button type="button" className="secondary" onClick={() => setQ({ ...q, questions: [...q.questions, newQuestion()] })}>{t('training.editor.addQuestion')}</button>
        <button type="submit" disabled={form.busy}>{t('training.editor.saveQuiz')}</button>
      </div>
      <ErrorAlert error={form.error} />
      {saved && <p className="notice" role="status">{t('training.editor.quizSaved')}</p>}
    </form>
  );
}

function ChecklistEditor({ courseId, items, onSaved }: { courseId: string; items: ChecklistItemView[]; onSaved: () => Promise<unknown> }) {
  const [list, setList] = useState(items.map((i) => ({ id: i.id as string | undefined, title: i.title, description: i.description })));
  const form = useSubmit();
  const { t } = useTranslation();
  const save = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async () => {
      await api('PUT', `${T}/courses/${courseId}/checklist`, { items: list });
      await onSaved();
    });
  };
  return (
    <form aria-label={t('training.editor.checklist')} onSubmit={save}>
      {list.map((item, i) => (
        <div key={item.id ?? `n-${i}`} className="option-row">
          <input type="text" aria-label={t('training.editor.skill', { n: i + 1 })} value={item.title} onChange={(e) => setList(list.map((x, j) => (j === i ? { ...x, title: e.target.value } : x)))} />
          <input type="text" aria-label={t('training.editor.skillDetails', { n: i + 1 })} placeholder={t('training.editor.details')} value={item.description} onChange={(e) => setList(list.map((x, j) => (j === i ? { ...x, description: e.target.value } : x)))} />
          <button type="button" className="secondary small" aria-label={t('training.editor.removeSkill', { n: i + 1 })} onClick={() => setList(list.filter((_, j) => j !== i))}>✕</button>
        </div>
      ))}
      <div className="buttons">
        <button type="button" className="secondary" onClick={() => setList([...list, { id: undefined, title: '', description: '' }])}>{t('training.editor.addSkill')}</button>
        <button type="submit" disabled={form.busy}>{t('training.editor.saveChecklist')}</button>
      </div>
      <ErrorAlert error={form.error} />
    </form>
  );
}

/** One course in the editor: fields, lessons with attachments, quiz, checklist, publication of a new version. */
export function CourseEditorPage() {
  const { id } = useParams();
  const course = useApi<CourseDetailView>(`${T}/courses/${id}`);
  const [fields, setFields] = useState<CourseFields | null>(null);
  const form = useSubmit();
  const publish = useSubmit();
  const [message, setMessage] = useState('');
  const { t } = useTranslation();
  const heading = usePageTitle(course.data?.title);
  useEffect(() => {
    const c = course.data;
    if (c) setFields({ title: c.title, description: c.description, language: c.language, targetRoles: c.targetRoles, estimatedMinutes: c.estimatedMinutes, certificationKind: c.certificationKind, validityDays: c.validityDays });
  }, [course.data]);
  if (course.error) return <main className="page"><div role="alert" className="alert">{course.error}</div></main>;
  const c = course.data;
  if (!c || !fields) return <main className="page muted">{t('app.loading')}</main>;
  if (!c.canManage) return <main className="page"><div role="alert" className="alert">{t('training.editor.cannotEdit')}</div></main>;
  return (
    <main className="page" data-testid="course-editor">
      <p className="muted"><Link to="/training/manage">{t('training.courses')}</Link> › {c.title}</p>
      <h1 ref={heading} tabIndex={-1}>{c.title}</h1>
      <p>
        <span className={`status ${c.status}`}>{t(`training.courseStatus.${c.status}`)}</span> {t('training.editor.versionN', { version: c.version })} · <Link to={`/training/courses/${c.id}`}>{t('training.editor.asLearner')}</Link>
      </p>
      <section className="card" aria-label={t('training.editor.publication')}>
        <h2>{t('training.editor.publish')}</h2>
        <p className="muted">{t('training.editor.publishHint', { version: c.version + 1 })}</p>
        <div className="buttons">
          <button type="button" disabled={publish.busy} onClick={() => publish.submit(async () => { const p = await post<CourseDetailView>(`${T}/courses/${c.id}/publish`); setMessage(t('training.editor.published', { version: p.version })); await course.reload(); })}>
            {t('training.editor.publishVersion', { version: c.version + 1 })}
          </button>
          {c.status === 'archived' ? (
            <button type="button" className="secondary" disabled={publish.busy} onClick={() => publish.submit(async () => { await patch(`${T}/courses/${c.id}`, { status: 'draft' }); setMessage(t('training.editor.restored')); await course.reload(); })}>
              {t('training.editor.restore')}
            </button>
          ) : (
            <button
              type="button"
              className="secondary"
              disabled={publish.busy}
              onClick={() => window.confirm(t('training.editor.archiveConfirm')) && void publish.submit(async () => { await patch(`${T}/courses/${c.id}`, { status: 'archived' }); setMessage(t('training.editor.archived')); await course.reload(); })}
            >
              {t('training.editor.archive')}
            </button>
          )}
        </div>
        <ErrorAlert error={publish.error} />
        {message && <p className="notice" role="status">{message}</p>}
      </section>
      <form className="card" aria-label={t('training.editor.courseDetails')} onSubmit={(e) => { e.preventDefault(); void form.submit(async () => { await patch(`${T}/courses/${c.id}`, fields); await course.reload(); }); }}>
        <h2>{t('training.editor.courseDetails')}</h2>
        <CourseForm value={fields} onChange={setFields} problems={form.problems} />
        <ErrorAlert error={form.error} shown={['title', 'description', 'language', 'estimatedMinutes', 'certificationKind', 'validityDays', 'targetRoles']} />
        <button type="submit" disabled={form.busy}>{t('training.editor.saveDetails')}</button>
      </form>
      <section className="card" aria-label={t('training.course.lessons')}>
        <h2>{t('training.course.lessons')}</h2>
        {c.lessons.map((l) => <LessonEditor key={`${l.id}-${l.position}`} courseId={c.id} lesson={l} onSaved={course.reload} />)}
        <LessonEditor key={`new-${c.lessons.length}`} courseId={c.id} onSaved={course.reload} />
      </section>
      <section className="card" aria-label={t('training.editor.quizEditor')}>
        <h2>{t('training.quiz.crumb')}</h2>
        <QuizEditor courseId={c.id} onSaved={course.reload} />
      </section>
      <section className="card" aria-label={t('training.editor.checklistTitle')}>
        <h2>{t('training.editor.checklistTitle')}</h2>
        <ChecklistEditor key={c.checklist.map((i) => i.id).join()} courseId={c.id} items={c.checklist} onSaved={course.reload} />
      </section>
    </main>
  );
}

import { FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
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
import { CERTIFICATION_KINDS, CERTIFICATION_LABELS, Role, ROLE_LABELS } from '@hub/contracts';
import { api, ApiError, del, errorMessage, get, patch, post } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { useAuth } from '../auth/AuthContext';
import { formatSize, LANGUAGE_LABELS, T, uploadRaw } from '../training/api';

const LEARNER_ROLES = [Role.FieldMedicalOfficer, Role.ReferenceDoctor, Role.HealthManager, Role.Trainer];

type CourseFields = Omit<CreateCourseRequest, 'missionId'>;
const emptyCourse = (): CourseFields => ({ title: '', description: '', language: 'en', targetRoles: [Role.FieldMedicalOfficer], estimatedMinutes: 30, certificationKind: null, validityDays: 730 });

function CourseForm({ value, onChange, problems }: { value: CourseFields; onChange: (v: CourseFields) => void; problems: (f: string) => string[] }) {
  const set = <K extends keyof CourseFields>(k: K, v: CourseFields[K]) => onChange({ ...value, [k]: v });
  return (
    <>
      <Field label="Title" problems={problems('title')}>{(id) => <input id={id} value={value.title} onChange={(e) => set('title', e.target.value)} />}</Field>
      <Field label="Description" problems={problems('description')}>{(id) => <textarea id={id} rows={3} value={value.description} onChange={(e) => set('description', e.target.value)} />}</Field>
      <div className="editor-grid">
        <Field label="Language" problems={problems('language')}>
          {(id) => (
            <select id={id} value={value.language} onChange={(e) => set('language', e.target.value as TrainingLanguage)}>
              {Object.entries(LANGUAGE_LABELS).map(([k, l]) => <option key={k} value={k}>{l}</option>)}
            </select>
          )}
        </Field>
        <Field label="Estimated duration (minutes)" problems={problems('estimatedMinutes')}>
          {(id) => <input id={id} type="number" min={1} value={value.estimatedMinutes} onChange={(e) => set('estimatedMinutes', Number(e.target.value))} />}
        </Field>
        <Field label="Certification given" problems={problems('certificationKind')}>
          {(id) => (
            <select id={id} value={value.certificationKind ?? ''} onChange={(e) => set('certificationKind', (e.target.value || null) as CertificationKind | null)}>
              <option value="">None (no certificate)</option>
              {CERTIFICATION_KINDS.map((k) => <option key={k} value={k}>{CERTIFICATION_LABELS[k]}</option>)}
            </select>
          )}
        </Field>
        <Field label="Validity (days)" problems={problems('validityDays')}>
          {(id) => <input id={id} type="number" min={1} value={value.validityDays ?? 730} onChange={(e) => set('validityDays', Number(e.target.value))} />}
        </Field>
      </div>
      <fieldset className="field">
        <legend>Target roles</legend>
        <div className="checks">
          {LEARNER_ROLES.map((r) => (
            <label key={r} className="check">
              <input type="checkbox" checked={value.targetRoles.includes(r)} onChange={(e) => set('targetRoles', e.target.checked ? [...value.targetRoles, r] : value.targetRoles.filter((x) => x !== r))} /> {ROLE_LABELS[r]}
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
  const create = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async () => {
      const c = await post<CourseDetailView>(`${T}/courses`, { ...draft, ...(missionId || missions[0] ? { missionId: missionId || missions[0][0] } : {}) });
      navigate(`/training/manage/${c.id}`);
    });
  };
  return (
    <main className="page">
      <h1>Courses</h1>
      {courses.error && <div role="alert" className="alert">{courses.error}</div>}
      <table>
        <thead><tr><th>Course</th><th>Language</th><th>Status</th><th>Version</th><th>Certification</th><th>Lessons</th><th>Quiz</th><th>Skills</th></tr></thead>
        <tbody>
          {courses.data?.map((c) => (
            <tr key={c.id}>
              <td>{c.canManage ? <Link to={`/training/manage/${c.id}`}>{c.title}</Link> : <Link to={`/training/courses/${c.id}`}>{c.title}</Link>}</td>
              <td>{LANGUAGE_LABELS[c.language]}</td>
              <td><span className={`status ${c.status}`}>{c.status}</span></td>
              <td>{c.version}</td>
              <td>{c.certificationKind ? CERTIFICATION_LABELS[c.certificationKind] : '—'}</td>
              <td>{c.lessonCount}</td>
              <td>{c.hasQuiz ? 'yes' : '—'}</td>
              <td>{c.checklistCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="card inline-form" aria-label="New course" onSubmit={create}>
        <h2>New course</h2>
        {missions.length > 1 && (
          <Field label="Mission">
            {(id) => <select id={id} value={missionId} onChange={(e) => setMissionId(e.target.value)}>{missions.map(([mid, code]) => <option key={mid} value={mid}>{code}</option>)}</select>}
          </Field>
        )}
        <CourseForm value={draft} onChange={setDraft} problems={form.problems} />
        <ErrorAlert error={form.error} shown={['title', 'description', 'language', 'estimatedMinutes', 'certificationKind', 'validityDays', 'targetRoles']} />
        <button type="submit" disabled={form.busy}>Create course</button>
      </form>
    </main>
  );
}

function LessonEditor({ courseId, lesson, onSaved }: { courseId: string; lesson?: LessonView; onSaved: () => Promise<unknown> }) {
  const [v, setV] = useState({ title: lesson?.title ?? '', body: lesson?.body ?? '', estimatedMinutes: lesson?.estimatedMinutes ?? 10 });
  const [attachments, setAttachments] = useState<AttachmentView[]>(lesson?.attachments ?? []);
  const form = useSubmit();
  const label = lesson ? `Lesson ${lesson.position + 1}: ${lesson.title}` : 'New lesson';
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
        <Field label="Lesson title" problems={form.problems('title')}>{(id) => <input id={id} value={v.title} onChange={(e) => setV({ ...v, title: e.target.value })} />}</Field>
        <Field label="Minutes" problems={form.problems('estimatedMinutes')}>{(id) => <input id={id} type="number" min={1} value={v.estimatedMinutes} onChange={(e) => setV({ ...v, estimatedMinutes: Number(e.target.value) })} />}</Field>
      </div>
      <Field label="Lesson text (markdown)" problems={form.problems('body')}>{(id) => <textarea id={id} rows={6} value={v.body} onChange={(e) => setV({ ...v, body: e.target.value })} />}</Field>
      {lesson && (
        <>
          <ul>{attachments.map((a) => <li key={a.id}>{a.filename} <span className="muted">{a.mediaType}, {formatSize(a.size)}</span></li>)}</ul>
          <Field label="Add image, PDF or video">
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
        <button type="submit" disabled={form.busy}>{lesson ? 'Save lesson' : 'Add lesson'}</button>
        {lesson && (
          <button type="button" className="secondary" onClick={() => window.confirm(`Delete the lesson “${lesson.title}”?`) && void form.submit(async () => { await del(`${T}/courses/${courseId}/lessons/${lesson.id}`); await onSaved(); })}>
            Delete lesson
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
  options: type === 'true_false' ? [{ text: 'True', correct: true }, { text: 'False', correct: false }] : [{ text: '', correct: true }, { text: '', correct: false }],
});

function QuizEditor({ courseId, onSaved }: { courseId: string; onSaved: () => Promise<unknown> }) {
  const [q, setQ] = useState<QuizDraft | null>(null);
  const form = useSubmit();
  const [saved, setSaved] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    get<QuizEditorView>(`${T}/courses/${courseId}/quiz`)
      .then((v) => setQ(v))
      // 404: no quiz yet, start from a blank one
      .catch((e) => (e instanceof ApiError && e.status === 404 ? setQ({ passMark: 80, maxAttempts: 3, cooldownMinutes: 60, questions: [newQuestion()] }) : setLoadError(errorMessage(e, 'Could not load the quiz'))));
  }, [courseId]);
  if (loadError) return <div role="alert" className="alert">{loadError}</div>;
  if (!q) return <p className="muted">Loading the quiz…</p>;
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
    <form aria-label="Quiz" onSubmit={save}>
      <div className="editor-grid">
        <Field label="Pass mark (%)" problems={form.problems('passMark')}>{(id) => <input id={id} type="number" value={q.passMark} onChange={(e) => setQ({ ...q, passMark: Number(e.target.value) })} />}</Field>
        <Field label="Attempt limit (empty: unlimited)" problems={form.problems('maxAttempts')}>
          {(id) => <input id={id} type="number" min={1} value={q.maxAttempts ?? ''} onChange={(e) => setQ({ ...q, maxAttempts: e.target.value === '' ? null : Number(e.target.value) })} />}
        </Field>
        <Field label="Cool-down after a failed attempt (minutes)" problems={form.problems('cooldownMinutes')}>
          {(id) => <input id={id} type="number" min={0} value={q.cooldownMinutes} onChange={(e) => setQ({ ...q, cooldownMinutes: Number(e.target.value) })} />}
        </Field>
      </div>
      {q.questions.map((question, i) => (
        <fieldset key={question.id ?? `new-${i}`} className="question" aria-label={`Question ${i + 1}`}>
          <legend>Question {i + 1}</legend>
          <div className="editor-grid">
            <Field label="Question type" problems={form.problems(`questions.${i}.type`)}>
              {(id) => (
                <select id={id} value={question.type} onChange={(e) => setQuestion(i, e.target.value === 'true_false' ? { type: 'true_false', options: newQuestion('true_false').options } : { type: e.target.value as QuestionType })}>
                  <option value="single">Single choice</option>
                  <option value="multiple">Multiple choice</option>
                  <option value="true_false">True / false</option>
                </select>
              )}
            </Field>
          </div>
          <Field label="Question text" problems={form.problems(`questions.${i}.text`)}>{(id) => <input id={id} value={question.text} onChange={(e) => setQuestion(i, { text: e.target.value })} />}</Field>
          <div role="group" aria-label={`Options of question ${i + 1}`}>
            {question.options.map((o, k) => (
              <div key={o.id ?? `o-${k}`} className="option-row">
                <input
                  type={question.type === 'multiple' ? 'checkbox' : 'radio'}
                  name={`correct-${i}`}
                  aria-label={`Option ${k + 1} is correct`}
                  checked={o.correct}
                  onChange={(e) => setQuestion(i, { options: question.options.map((x, m) => ({ ...x, correct: question.type === 'multiple' ? (m === k ? e.target.checked : x.correct) : m === k })) })}
                />
                <input type="text" aria-label={`Option ${k + 1}`} value={o.text} onChange={(e) => setQuestion(i, { options: question.options.map((x, m) => (m === k ? { ...x, text: e.target.value } : x)) })} />
                {question.type !== 'true_false' && question.options.length > 2 && (
                  <button type="button" className="secondary small" aria-label={`Remove option ${k + 1}`} onClick={() => setQuestion(i, { options: question.options.filter((_, m) => m !== k) })}>✕</button>
                )}
              </div>
            ))}
            {form.problems(`questions.${i}.options`).length > 0 && <div className="field-error">{form.problems(`questions.${i}.options`).join('; ')}</div>}
            {question.type !== 'true_false' && <button type="button" className="secondary small" onClick={() => setQuestion(i, { options: [...question.options, { text: '', correct: false }] })}>Add option</button>}
          </div>
          <Field label="Explanation (shown after submitting)" problems={form.problems(`questions.${i}.explanation`)}>{(id) => <textarea id={id} rows={2} value={question.explanation} onChange={(e) => setQuestion(i, { explanation: e.target.value })} />}</Field>
          <button type="button" className="secondary small" onClick={() => setQ({ ...q, questions: q.questions.filter((_, j) => j !== i) })}>Remove question</button>
        </fieldset>
      ))}
      <div className="buttons">
        <button type="button" className="secondary" onClick={() => setQ({ ...q, questions: [...q.questions, newQuestion()] })}>Add question</button>
        <button type="submit" disabled={form.busy}>Save quiz</button>
      </div>
      <ErrorAlert error={form.error} />
      {saved && <p className="notice" role="status">Quiz saved.</p>}
    </form>
  );
}

function ChecklistEditor({ courseId, items, onSaved }: { courseId: string; items: ChecklistItemView[]; onSaved: () => Promise<unknown> }) {
  const [list, setList] = useState(items.map((i) => ({ id: i.id as string | undefined, title: i.title, description: i.description })));
  const form = useSubmit();
  const save = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async () => {
      await api('PUT', `${T}/courses/${courseId}/checklist`, { items: list });
      await onSaved();
    });
  };
  return (
    <form aria-label="Sign-off checklist" onSubmit={save}>
      {list.map((item, i) => (
        <div key={item.id ?? `n-${i}`} className="option-row">
          <input type="text" aria-label={`Skill ${i + 1}`} value={item.title} onChange={(e) => setList(list.map((x, j) => (j === i ? { ...x, title: e.target.value } : x)))} />
          <input type="text" aria-label={`Skill ${i + 1} details`} placeholder="details" value={item.description} onChange={(e) => setList(list.map((x, j) => (j === i ? { ...x, description: e.target.value } : x)))} />
          <button type="button" className="secondary small" aria-label={`Remove skill ${i + 1}`} onClick={() => setList(list.filter((_, j) => j !== i))}>✕</button>
        </div>
      ))}
      <div className="buttons">
        <button type="button" className="secondary" onClick={() => setList([...list, { id: undefined, title: '', description: '' }])}>Add skill</button>
        <button type="submit" disabled={form.busy}>Save checklist</button>
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
  useEffect(() => {
    const c = course.data;
    if (c) setFields({ title: c.title, description: c.description, language: c.language, targetRoles: c.targetRoles, estimatedMinutes: c.estimatedMinutes, certificationKind: c.certificationKind, validityDays: c.validityDays });
  }, [course.data]);
  if (course.error) return <main className="page"><div role="alert" className="alert">{course.error}</div></main>;
  const c = course.data;
  if (!c || !fields) return <main className="page muted">Loading…</main>;
  if (!c.canManage) return <main className="page"><div role="alert" className="alert">You cannot edit this course.</div></main>;
  return (
    <main className="page" data-testid="course-editor">
      <p className="muted"><Link to="/training/manage">Courses</Link> › {c.title}</p>
      <h1>{c.title}</h1>
      <p>
        <span className={`status ${c.status}`}>{c.status}</span> version {c.version} · <Link to={`/training/courses/${c.id}`}>see it as a learner</Link>
      </p>
      <section className="card" aria-label="Publication">
        <h2>Publish</h2>
        <p className="muted">Publishing makes the current content version {c.version + 1}. Who completed an earlier version keeps it.</p>
        <div className="buttons">
          <button type="button" disabled={publish.busy} onClick={() => publish.submit(async () => { const p = await post<CourseDetailView>(`${T}/courses/${c.id}/publish`); setMessage(`Version ${p.version} published.`); await course.reload(); })}>
            Publish version {c.version + 1}
          </button>
          {c.status === 'archived' ? (
            <button type="button" className="secondary" disabled={publish.busy} onClick={() => publish.submit(async () => { await patch(`${T}/courses/${c.id}`, { status: 'draft' }); setMessage('Course restored.'); await course.reload(); })}>
              Restore course
            </button>
          ) : (
            <button
              type="button"
              className="secondary"
              disabled={publish.busy}
              onClick={() => window.confirm('Archive this course? Learners no longer see it; certificates earned on it stay valid.') && void publish.submit(async () => { await patch(`${T}/courses/${c.id}`, { status: 'archived' }); setMessage('Course archived.'); await course.reload(); })}
            >
              Archive course
            </button>
          )}
        </div>
        <ErrorAlert error={publish.error} />
        {message && <p className="notice" role="status">{message}</p>}
      </section>
      <form className="card" aria-label="Course details" onSubmit={(e) => { e.preventDefault(); void form.submit(async () => { await patch(`${T}/courses/${c.id}`, fields); await course.reload(); }); }}>
        <h2>Course details</h2>
        <CourseForm value={fields} onChange={setFields} problems={form.problems} />
        <ErrorAlert error={form.error} shown={['title', 'description', 'language', 'estimatedMinutes', 'certificationKind', 'validityDays', 'targetRoles']} />
        <button type="submit" disabled={form.busy}>Save details</button>
      </form>
      <section className="card" aria-label="Lessons">
        <h2>Lessons</h2>
        {c.lessons.map((l) => <LessonEditor key={`${l.id}-${l.position}`} courseId={c.id} lesson={l} onSaved={course.reload} />)}
        <LessonEditor key={`new-${c.lessons.length}`} courseId={c.id} onSaved={course.reload} />
      </section>
      <section className="card" aria-label="Quiz editor">
        <h2>Quiz</h2>
        <QuizEditor courseId={c.id} onSaved={course.reload} />
      </section>
      <section className="card" aria-label="Practical sign-off checklist">
        <h2>Practical sign-off checklist</h2>
        <ChecklistEditor key={c.checklist.map((i) => i.id).join()} courseId={c.id} items={c.checklist} onSaved={course.reload} />
      </section>
    </main>
  );
}

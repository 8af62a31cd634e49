import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { useNavigate } from '../routing';
import type { CertificateView, CohortDetailView, CohortSummaryView, CourseSummaryView, UserView } from '@hub/contracts';
import { Role } from '@hub/contracts';
import { get, patch, post, query } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { useAuth } from '../auth/AuthContext';
import { day, LANGUAGE_LABELS, T } from '../training/api';

function Picker<V extends { id: string }>(props: { legend: string; items: V[]; label: (v: V) => string; chosen: string[]; onChange: (ids: string[]) => void }) {
  return (
    <fieldset className="field">
      <legend>{props.legend}</legend>
      <div className="checks">
        {props.items.map((v) => (
          <label key={v.id} className="check">
            <input type="checkbox" checked={props.chosen.includes(v.id)} onChange={(e) => props.onChange(e.target.checked ? [...props.chosen, v.id] : props.chosen.filter((x) => x !== v.id))} /> {props.label(v)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

const trainerMissions = (memberships: { role: Role; missionId: string | null; missionCode: string | null }[]) =>
  [...new Map(memberships.filter((m) => m.missionId && (m.role === Role.Trainer || m.role === Role.HealthManager || m.role === Role.MissionAdmin)).map((m) => [m.missionId!, m.missionCode ?? ''])).entries()];

/** Trainer's cohorts (e.g. an incoming contingent rotation) and a new one. */
export function CohortsPage() {
  const { user } = useAuth();
  const navigate = useNavigate();
  const missions = trainerMissions(user?.memberships ?? []);
  const [missionId, setMissionId] = useState(missions[0]?.[0] ?? '');
  const cohorts = useApi<CohortSummaryView[]>(`${T}/cohorts`);
  const isTrainer = user?.memberships.some((m) => m.role === Role.Trainer) ?? false;
  const users = useApi<UserView[]>(isTrainer && missionId ? `/api/users${query({ missionId })}` : null);
  const courses = useApi<CourseSummaryView[]>(isTrainer ? `${T}/courses?status=published` : null);
  const [v, setV] = useState({ name: '', description: '', startsOn: '', endsOn: '', memberIds: [] as string[], courseIds: [] as string[] });
  const form = useSubmit();
  const { t } = useTranslation();
  const heading = usePageTitle(t('training.cohorts.title'));
  const create = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async () => {
      const body = { missionId, name: v.name, description: v.description, memberIds: v.memberIds, courseIds: v.courseIds, ...(v.startsOn ? { startsOn: v.startsOn } : {}), ...(v.endsOn ? { endsOn: v.endsOn } : {}) };
      const c = await post<CohortDetailView>(`${T}/cohorts`, body);
      navigate(`/training/cohorts/${c.id}`);
    });
  };
  return (
    <main className="page">
      <h1 ref={heading} tabIndex={-1}>{t('training.cohorts.title')}</h1>
      {cohorts.error && <div role="alert" className="alert">{cohorts.error}</div>}
      {cohorts.data && !cohorts.data.length && <p className="muted">{t('training.cohorts.none')}</p>}
      {cohorts.data && cohorts.data.length > 0 && (
        <table>
          <thead><tr><th>{t('training.cohorts.cohort')}</th><th>{t('training.cohorts.members')}</th><th>{t('training.cohorts.courses')}</th><th>{t('training.cohorts.from')}</th><th>{t('training.cohorts.to')}</th></tr></thead>
          <tbody>
            {cohorts.data.map((c) => (
              <tr key={c.id}><td><Link to={`/training/cohorts/${c.id}`}>{c.name}</Link></td><td>{c.memberCount}</td><td>{c.courseIds.length}</td><td>{day(c.startsOn)}</td><td>{day(c.endsOn)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      {isTrainer && (
        <form className="card" aria-label={t('training.cohorts.new')} onSubmit={create}>
          <h2>{t('training.cohorts.new')}</h2>
          {missions.length > 1 && (
            <Field label={t('training.cohorts.mission')} problems={form.problems('missionId')}>
              {(id) => <select id={id} value={missionId} onChange={(e) => setMissionId(e.target.value)}>{missions.map(([mid, code]) => <option key={mid} value={mid}>{code}</option>)}</select>}
            </Field>
          )}
          <div className="editor-grid">
            <Field label={t('training.cohorts.name')} problems={form.problems('name')}>{(id) => <input id={id} value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} />}</Field>
            <Field label={t('training.cohorts.description')} problems={form.problems('description')}>{(id) => <input id={id} value={v.description} onChange={(e) => setV({ ...v, description: e.target.value })} />}</Field>
            <Field label={t('training.cohorts.startsOn')} problems={form.problems('startsOn')}>{(id) => <input id={id} type="date" value={v.startsOn} onChange={(e) => setV({ ...v, startsOn: e.target.value })} />}</Field>
            <Field label={t('training.cohorts.endsOn')} problems={form.problems('endsOn')}>{(id) => <input id={id} type="date" value={v.endsOn} onChange={(e) => setV({ ...v, endsOn: e.target.value })} />}</Field>
          </div>
          <Picker legend={t('training.cohorts.members')} items={users.data ?? []} label={(u) => `${u.displayName} (${u.email})`} chosen={v.memberIds} onChange={(memberIds) => setV({ ...v, memberIds })} />
          {form.problems('memberIds').length > 0 && <div className="field-error">{form.problems('memberIds').join('; ')}</div>}
          <Picker legend={t('training.cohorts.courses')} items={courses.data ?? []} label={(c) => `${c.title} (${LANGUAGE_LABELS[c.language]})`} chosen={v.courseIds} onChange={(courseIds) => setV({ ...v, courseIds })} />
          {form.problems('courseIds').length > 0 && <div className="field-error">{form.problems('courseIds').join('; ')}</div>}
          <ErrorAlert error={form.error} shown={['name', 'description', 'startsOn', 'endsOn', 'memberIds', 'courseIds', 'missionId']} />
          <button type="submit" disabled={form.busy}>{t('training.cohorts.create')}</button>
        </form>
      )}
    </main>
  );
}

/** A cohort: its progress table (member x course), and enrolment of more members and courses. */
export function CohortPage() {
  const { id } = useParams();
  const { user } = useAuth();
  const cohort = useApi<CohortDetailView>(`${T}/cohorts/${id}`);
  const isTrainer = user?.memberships.some((m) => m.role === Role.Trainer) ?? false;
  const missionId = cohort.data?.missionId;
  const users = useApi<UserView[]>(isTrainer && missionId ? `/api/users${query({ missionId })}` : null);
  const courses = useApi<CourseSummaryView[]>(isTrainer ? `${T}/courses?status=published` : null);
  // After a certificate the server's progress restarts (it counts toward recertification): show the certificate.
  const certs = useApi<CertificateView[]>(missionId ? `${T}/certificates${query({ missionId })}` : null);
  const [enrol, setEnrol] = useState<{ memberIds: string[]; courseIds: string[] } | null>(null);
  const form = useSubmit();
  const { t } = useTranslation();
  const heading = usePageTitle(cohort.data?.name);
  if (cohort.error) return <main className="page"><div role="alert" className="alert">{cohort.error}</div></main>;
  const c = cohort.data;
  if (!c) return <main className="page muted">{t('app.loading')}</main>;
  const row = (userId: string, courseId: string) => c.progress.find((p) => p.userId === userId && p.courseId === courseId);
  const e = enrol ?? { memberIds: c.members.map((m) => m.userId), courseIds: c.courses.map((x) => x.id) };
  const save = (ev: FormEvent) => {
    ev.preventDefault();
    void form.submit(async () => {
      await patch(`${T}/cohorts/${c.id}`, e);
      setEnrol(null);
      await cohort.reload();
    });
  };
  return (
    <main className="page wide" data-testid="cohort-page">
      <p className="muted"><Link to="/training/cohorts">{t('training.cohorts.title')}</Link> › {c.name}</p>
      <h1 ref={heading} tabIndex={-1}>{c.name}</h1>
      <p className="muted">{c.description} {c.startsOn && `· ${day(c.startsOn)} – ${day(c.endsOn)}`}</p>
      <section className="card table-wrap" aria-label={t('training.cohorts.progress')}>
        <h2>{t('training.cohorts.progress')}</h2>
        <table data-testid="cohort-progress">
          <thead>
            <tr><th>{t('training.cohorts.member')}</th>{c.courses.map((x) => <th key={x.id}>{x.title}</th>)}</tr>
          </thead>
          <tbody>
            {c.members.map((m) => (
              <tr key={m.userId}>
                <td>{m.displayName}<div className="muted">{m.email}</div></td>
                {c.courses.map((x) => {
                  const p = row(m.userId, x.id);
                  const cert = certs.data?.find((k) => k.userId === m.userId && k.courseId === x.id && k.status === 'valid');
                  return (
                    <td key={x.id} data-testid={`progress-${m.email}-${x.id}`}>
                      {cert && <div><span className="status valid">{t('training.cohorts.certified')}</span> <span className="muted">{t('training.course.until', { date: day(cert.expiresAt) })}</span></div>}
                      {cert && p && !p.lessonsDone && !p.quizPassed && !p.signOffsDone ? null : p ? (
                        <>
                          {p.complete ? <span className="status valid">{t('training.learner.complete')}</span> : <span className="muted">{t('training.cohorts.inProgress')}</span>}
                          <div className="muted">
                            {t('training.cohorts.lessons', { done: p.lessonsDone, total: p.lessonsTotal })}
                            {p.quizRequired && <> · {p.quizPassed ? t('training.cohorts.quizPassed') : t('training.cohorts.quizNotPassed')}</>}
                            {p.signOffsTotal > 0 && <> · {t('training.cohorts.skills', { done: p.signOffsDone, total: p.signOffsTotal })}</>}
                          </div>
                        </>
                      ) : (
                        <span className="muted">{t('training.cohorts.notStarted')}</span>
                      )}
                      {isTrainer && <div><Link to={`/training/courses/${x.id}/learners/${m.userId}`} aria-label={t('training.cohorts.signOffAria', { name: m.displayName, course: x.title })}>{t('training.cohorts.signOff')}</Link></div>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {isTrainer && (
        <form className="card" aria-label={t('training.cohorts.enrolment')} onSubmit={save}>
          <h2>{t('training.cohorts.enrolment')}</h2>
          <Picker legend={t('training.cohorts.members')} items={users.data ?? []} label={(u) => `${u.displayName} (${u.email})`} chosen={e.memberIds} onChange={(memberIds) => setEnrol({ ...e, memberIds })} />
          <Picker legend={t('training.cohorts.courses')} items={courses.data ?? []} label={(x) => `${x.title} (${LANGUAGE_LABELS[x.language]})`} chosen={e.courseIds} onChange={(courseIds) => setEnrol({ ...e, courseIds })} />
          <ErrorAlert error={form.error} />
          <button type="submit" disabled={form.busy || !enrol}>{t('training.cohorts.saveEnrolment')}</button>
        </form>
      )}
    </main>
  );
}

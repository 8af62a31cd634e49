import { FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { CertificateView, CohortDetailView, CohortSummaryView, CourseSummaryView, UserView } from '@hub/contracts';
import { Role } from '@hub/contracts';
import { get, patch, post, query } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
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
      <h1>Cohorts</h1>
      {cohorts.error && <div role="alert" className="alert">{cohorts.error}</div>}
      {cohorts.data && !cohorts.data.length && <p className="muted">No cohort yet.</p>}
      {cohorts.data && cohorts.data.length > 0 && (
        <table>
          <thead><tr><th>Cohort</th><th>Members</th><th>Courses</th><th>From</th><th>To</th></tr></thead>
          <tbody>
            {cohorts.data.map((c) => (
              <tr key={c.id}><td><Link to={`/training/cohorts/${c.id}`}>{c.name}</Link></td><td>{c.memberCount}</td><td>{c.courseIds.length}</td><td>{day(c.startsOn)}</td><td>{day(c.endsOn)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      {isTrainer && (
        <form className="card" aria-label="New cohort" onSubmit={create}>
          <h2>New cohort</h2>
          {missions.length > 1 && (
            <Field label="Mission" problems={form.problems('missionId')}>
              {(id) => <select id={id} value={missionId} onChange={(e) => setMissionId(e.target.value)}>{missions.map(([mid, code]) => <option key={mid} value={mid}>{code}</option>)}</select>}
            </Field>
          )}
          <div className="editor-grid">
            <Field label="Cohort name" problems={form.problems('name')}>{(id) => <input id={id} value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} />}</Field>
            <Field label="Description" problems={form.problems('description')}>{(id) => <input id={id} value={v.description} onChange={(e) => setV({ ...v, description: e.target.value })} />}</Field>
            <Field label="Starts on" problems={form.problems('startsOn')}>{(id) => <input id={id} type="date" value={v.startsOn} onChange={(e) => setV({ ...v, startsOn: e.target.value })} />}</Field>
            <Field label="Ends on" problems={form.problems('endsOn')}>{(id) => <input id={id} type="date" value={v.endsOn} onChange={(e) => setV({ ...v, endsOn: e.target.value })} />}</Field>
          </div>
          <Picker legend="Members" items={users.data ?? []} label={(u) => `${u.displayName} (${u.email})`} chosen={v.memberIds} onChange={(memberIds) => setV({ ...v, memberIds })} />
          {form.problems('memberIds').length > 0 && <div className="field-error">{form.problems('memberIds').join('; ')}</div>}
          <Picker legend="Courses" items={courses.data ?? []} label={(c) => `${c.title} (${LANGUAGE_LABELS[c.language]})`} chosen={v.courseIds} onChange={(courseIds) => setV({ ...v, courseIds })} />
          {form.problems('courseIds').length > 0 && <div className="field-error">{form.problems('courseIds').join('; ')}</div>}
          <ErrorAlert error={form.error} shown={['name', 'description', 'startsOn', 'endsOn', 'memberIds', 'courseIds', 'missionId']} />
          <button type="submit" disabled={form.busy}>Create cohort</button>
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
  if (cohort.error) return <main className="page"><div role="alert" className="alert">{cohort.error}</div></main>;
  const c = cohort.data;
  if (!c) return <main className="page muted">Loading…</main>;
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
      <p className="muted"><Link to="/training/cohorts">Cohorts</Link> › {c.name}</p>
      <h1>{c.name}</h1>
      <p className="muted">{c.description} {c.startsOn && `· ${day(c.startsOn)} – ${day(c.endsOn)}`}</p>
      <section className="card table-wrap" aria-label="Progress">
        <h2>Progress</h2>
        <table data-testid="cohort-progress">
          <thead>
            <tr><th>Member</th>{c.courses.map((x) => <th key={x.id}>{x.title}</th>)}</tr>
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
                      {cert && <div><span className="status valid">certified</span> <span className="muted">until {day(cert.expiresAt)}</span></div>}
                      {cert && p && !p.lessonsDone && !p.quizPassed && !p.signOffsDone ? null : p ? (
                        <>
                          {p.complete ? <span className="status valid">complete</span> : <span className="muted">in progress</span>}
                          <div className="muted">
                            lessons {p.lessonsDone}/{p.lessonsTotal}
                            {p.quizRequired && <> · quiz {p.quizPassed ? 'passed' : 'not passed'}</>}
                            {p.signOffsTotal > 0 && <> · skills {p.signOffsDone}/{p.signOffsTotal}</>}
                          </div>
                        </>
                      ) : (
                        <span className="muted">not started</span>
                      )}
                      {isTrainer && <div><Link to={`/training/courses/${x.id}/learners/${m.userId}`} aria-label={`Sign-off for ${m.displayName} in ${x.title}`}>Sign-off</Link></div>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {isTrainer && (
        <form className="card" aria-label="Enrolment" onSubmit={save}>
          <h2>Enrolment</h2>
          <Picker legend="Members" items={users.data ?? []} label={(u) => `${u.displayName} (${u.email})`} chosen={e.memberIds} onChange={(memberIds) => setEnrol({ ...e, memberIds })} />
          <Picker legend="Courses" items={courses.data ?? []} label={(x) => `${x.title} (${LANGUAGE_LABELS[x.language]})`} chosen={e.courseIds} onChange={(courseIds) => setEnrol({ ...e, courseIds })} />
          <ErrorAlert error={form.error} />
          <button type="submit" disabled={form.busy || !enrol}>Save enrolment</button>
        </form>
      )}
    </main>
  );
}

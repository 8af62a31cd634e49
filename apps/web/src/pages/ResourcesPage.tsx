import { FormEvent, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import type { CreateResourceRequest, ResourceKind, ResourceView, TrainingLanguage } from '@hub/contracts';
import { Role } from '@hub/contracts';
import { get, post, query } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useSubmit } from '../components/useLoad';
import { Markdown } from '../components/Markdown';
import { useApi } from '../components/useApi';
import { day, LANGUAGE_LABELS, T } from '../training/api';

export const RESOURCE_KINDS: Record<ResourceKind, string> = { guide: 'Guide', sop: 'Standard operating procedure', quick_reference: 'Quick-reference card' };

/** «hit» markers from ts_headline, as <mark>. */
function Snippet({ text }: { text: string }) {
  return <>{text.split(/(«[^»]*»)/).map((part, i) => (part.startsWith('«') ? <mark key={i}>{part.slice(1, -1)}</mark> : part))}</>;
}

/** The "Telemedicine Hub" library: guides, SOPs and quick-reference cards; full-text search per language, tags. */
export function ResourcesPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const language = (params.get('language') ?? '') as TrainingLanguage | '';
  const kind = params.get('kind') ?? '';
  const tag = params.get('tag') ?? '';
  const [text, setText] = useState(q);
  const list = useApi<ResourceView[]>(`${T}/resources${query({ q, language, kind, tag })}`);
  const all = useApi<ResourceView[]>(`${T}/resources${query({ language })}`);
  const tags = [...new Set((all.data ?? []).flatMap((r) => r.tags))].sort();
  // From the latest search parameters, not the ones of this render: two filters changed in a row both stay.
  const set = (key: string, value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(key, value);
      else next.delete(key);
      return next;
    });
  const search = (e: FormEvent) => {
    e.preventDefault();
    set('q', text.trim());
  };
  return (
    <main className="page" data-testid="resources-page">
      <h1>Resource centre</h1>
      <form className="filters" role="search" aria-label="Search the resource centre" onSubmit={search}>
        <Field label="Search">{(id) => <input id={id} type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. ECG, photo, bande passante" />}</Field>
        <Field label="Language">
          {(id) => <select id={id} value={language} onChange={(e) => set('language', e.target.value)}><option value="">All</option>{Object.entries(LANGUAGE_LABELS).map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select>}
        </Field>
        <Field label="Type">
          {(id) => <select id={id} value={kind} onChange={(e) => set('kind', e.target.value)}><option value="">All</option>{Object.entries(RESOURCE_KINDS).map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select>}
        </Field>
        <button type="submit">Search</button>
      </form>
      {tags.length > 0 && (
        <p aria-label="Tags">
          {tags.map((t) => (
            <button key={t} type="button" className={`tag ${t === tag ? 'active' : ''}`} aria-pressed={t === tag} onClick={() => set('tag', t === tag ? '' : t)}>#{t}</button>
          ))}
        </p>
      )}
      {list.error && <div role="alert" className="alert">{list.error}</div>}
      {list.data && !list.data.length && <p className="muted">Nothing found{q ? ` for “${q}”` : ''}.</p>}
      <ul className="resource-list" aria-label="Documents">
        {list.data?.map((r) => (
          <li key={r.id} className="card" lang={r.language}>
            <h2><Link to={`/resources/${r.id}`}>{r.title}</Link></h2>
            <p className="muted">{RESOURCE_KINDS[r.kind]} · {LANGUAGE_LABELS[r.language]} · updated {day(r.updatedAt)}</p>
            <p>{r.snippet ? <Snippet text={r.snippet} /> : r.summary}</p>
            <p>{r.tags.map((t) => <span key={t} className="tag">#{t}</span>)}</p>
          </li>
        ))}
      </ul>
      <NewResource />
    </main>
  );
}

/** Trainers (their mission) and system administrators (every mission) add documents to the library. */
function NewResource() {
  const { user } = useAuth();
  const navigate = useNavigate();
  const form = useSubmit();
  const trainerMission = user?.memberships.find((m) => m.role === Role.Trainer && m.missionId)?.missionId;
  const isSys = user?.memberships.some((m) => m.role === Role.SystemAdmin) ?? false;
  const [v, setV] = useState({ kind: 'guide' as ResourceKind, title: '', summary: '', body: '', language: 'en' as TrainingLanguage, tags: '' });
  if (!trainerMission && !isSys) return null;
  const save = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async () => {
      const body: CreateResourceRequest = { ...v, tags: v.tags.split(',').map((t) => t.trim()).filter(Boolean), ...(trainerMission ? { missionId: trainerMission } : {}) };
      const r = await post<ResourceView>(`${T}/resources`, body);
      navigate(`/resources/${r.id}`);
    });
  };
  return (
    <details className="card">
      <summary>Add a document</summary>
      <form aria-label="New document" onSubmit={save}>
        <div className="editor-grid">
          <Field label="Title" problems={form.problems('title')}>{(id) => <input id={id} value={v.title} onChange={(e) => setV({ ...v, title: e.target.value })} />}</Field>
          <Field label="Document type" problems={form.problems('kind')}>
            {(id) => <select id={id} value={v.kind} onChange={(e) => setV({ ...v, kind: e.target.value as ResourceKind })}>{Object.entries(RESOURCE_KINDS).map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select>}
          </Field>
          <Field label="Document language" problems={form.problems('language')}>
            {(id) => <select id={id} value={v.language} onChange={(e) => setV({ ...v, language: e.target.value as TrainingLanguage })}>{Object.entries(LANGUAGE_LABELS).map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select>}
          </Field>
          <Field label="Tags (comma-separated)" problems={form.problems('tags')}>{(id) => <input id={id} value={v.tags} onChange={(e) => setV({ ...v, tags: e.target.value })} />}</Field>
        </div>
        <Field label="Summary" problems={form.problems('summary')}>{(id) => <input id={id} value={v.summary} onChange={(e) => setV({ ...v, summary: e.target.value })} />}</Field>
        <Field label="Text (markdown)" problems={form.problems('body')}>{(id) => <textarea id={id} rows={8} value={v.body} onChange={(e) => setV({ ...v, body: e.target.value })} />}</Field>
        <ErrorAlert error={form.error} shown={['title', 'kind', 'language', 'tags', 'summary', 'body']} />
        <button type="submit" disabled={form.busy}>Add document</button>
      </form>
    </details>
  );
}

export function ResourcePage() {
  const { id } = useParams();
  const r = useApi<ResourceView>(`${T}/resources/${id}`);
  if (r.error) return <main className="page"><div role="alert" className="alert">{r.error}</div></main>;
  if (!r.data) return <main className="page muted">Loading…</main>;
  const d = r.data;
  return (
    <main className="page narrow" data-testid="resource-page">
      <p className="muted"><Link to="/resources">Resource centre</Link> › {RESOURCE_KINDS[d.kind]}</p>
      <article lang={d.language}>
        <h1>{d.title}</h1>
        <p className="muted">{LANGUAGE_LABELS[d.language]} · updated {day(d.updatedAt)} {d.tags.map((t) => <span key={t} className="tag">#{t}</span>)}</p>
        {d.summary && <p><strong>{d.summary}</strong></p>}
        <Markdown text={d.body} testId="resource-body" />
      </article>
    </main>
  );
}

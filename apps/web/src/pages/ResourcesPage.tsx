import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'wouter';
import { useNavigate } from '../routing';
import type { CreateResourceRequest, ResourceKind, ResourceView, TrainingLanguage } from '@hub/contracts';
import { Role } from '@hub/contracts';
import { get, post, query } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useSubmit } from '../components/useLoad';
import { Markdown } from '../components/Markdown';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { day, LANGUAGE_LABELS, T } from '../training/api';

/** The kinds of document; their names are `training.resources.kinds.<kind>`. */
export const RESOURCE_KINDS: ResourceKind[] = ['guide', 'sop', 'quick_reference'];

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
  const { t } = useTranslation();
  const heading = usePageTitle(t('training.resourceCentre'));
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
      <h1 ref={heading} tabIndex={-1}>{t('training.resourceCentre')}</h1>
      <form className="filters" role="search" aria-label={t('training.resources.searchAria')} onSubmit={search}>
        <Field label={t('training.resources.search')}>{(id) => <input id={id} type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={t('training.resources.searchHint')} />}</Field>
        <Field label={t('training.columns.language')}>
          {(id) => <select id={id} value={language} onChange={(e) => set('language', e.target.value)}><option value="">{t('common.all')}</option>{Object.entries(LANGUAGE_LABELS).map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select>}
        </Field>
        <Field label={t('training.resources.type')}>
          {(id) => <select id={id} value={kind} onChange={(e) => set('kind', e.target.value)}><option value="">{t('common.all')}</option>{RESOURCE_KINDS.map((k) => <option key={k} value={k}>{t(`training.resources.kinds.${k}`)}</option>)}</select>}
        </Field>
        <button type="submit">{t('training.resources.search')}</button>
      </form>
      {tags.length > 0 && (
        <p aria-label={t('training.resources.tags')}>
          {tags.map((x) => (
            <button key={x} type="button" className={`tag ${x === tag ? 'active' : ''}`} aria-pressed={x === tag} onClick={() => set('tag', x === tag ? '' : x)}>#{x}</button>
          ))}
        </p>
      )}
      {list.error && <div role="alert" className="alert">{list.error}</div>}
      {list.data && !list.data.length && <p className="muted">{q ? t('common.noResults', { query: q }) : t('training.resources.nothing')}</p>}
      <ul className="resource-list" aria-label={t('training.resources.documents')}>
        {list.data?.map((r) => (
          <li key={r.id} className="card" lang={r.language}>
            <h2><Link to={`/resources/${r.id}`}>{r.title}</Link></h2>
            <p className="muted">{t(`training.resources.kinds.${r.kind}`)} · {LANGUAGE_LABELS[r.language]} · {t('training.resources.updated', { date: day(r.updatedAt) })}</p>
            <p>{r.snippet ? <Snippet text={r.snippet} /> : r.summary}</p>
            <p>{r.tags.map((x) => <span key={x} className="tag">#{x}</span>)}</p>
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
  const { t } = useTranslation();
  const trainerMission = user?.memberships.find((m) => m.role === Role.Trainer && m.missionId)?.missionId;
  const isSys = user?.memberships.some((m) => m.role === Role.SystemAdmin) ?? false;
  const [v, setV] = useState({ kind: 'guide' as ResourceKind, title: '', summary: '', body: '', language: 'en' as TrainingLanguage, tags: '' });
  if (!trainerMission && !isSys) return null;
  const save = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async () => {
      const body: CreateResourceRequest = { ...v, tags: v.tags.split(',').map((x) => x.trim()).filter(Boolean), ...(trainerMission ? { missionId: trainerMission } : {}) };
      const r = await post<ResourceView>(`${T}/resources`, body);
      navigate(`/resources/${r.id}`);
    });
  };
  return (
    <details className="card">
      <summary>{t('training.resources.add')}</summary>
      <form aria-label={t('training.resources.new')} onSubmit={save}>
        <div className="editor-grid">
          <Field label={t('training.resources.title')} problems={form.problems('title')}>{(id) => <input id={id} value={v.title} onChange={(e) => setV({ ...v, title: e.target.value })} />}</Field>
          <Field label={t('training.resources.kind')} problems={form.problems('kind')}>
            {(id) => <select id={id} value={v.kind} onChange={(e) => setV({ ...v, kind: e.target.value as ResourceKind })}>{RESOURCE_KINDS.map((k) => <option key={k} value={k}>{t(`training.resources.kinds.${k}`)}</option>)}</select>}
          </Field>
          <Field label={t('training.resources.language')} problems={form.problems('language')}>
            {(id) => <select id={id} value={v.language} onChange={(e) => setV({ ...v, language: e.target.value as TrainingLanguage })}>{Object.entries(LANGUAGE_LABELS).map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select>}
          </Field>
          <Field label={t('training.resources.tagsField')} problems={form.problems('tags')}>{(id) => <input id={id} value={v.tags} onChange={(e) => setV({ ...v, tags: e.target.value })} />}</Field>
        </div>
        <Field label={t('training.resources.summary')} problems={form.problems('summary')}>{(id) => <input id={id} value={v.summary} onChange={(e) => setV({ ...v, summary: e.target.value })} />}</Field>
        <Field label={t('training.resources.body')} problems={form.problems('body')}>{(id) => <textarea id={id} rows={8} value={v.body} onChange={(e) => setV({ ...v, body: e.target.value })} />}</Field>
        <ErrorAlert error={form.error} shown={['title', 'kind', 'language', 'tags', 'summary', 'body']} />
        <button type="submit" disabled={form.busy}>{t('training.resources.addSubmit')}</button>
      </form>
    </details>
  );
}

export function ResourcePage() {
  const { id } = useParams();
  const r = useApi<ResourceView>(`${T}/resources/${id}`);
  const { t } = useTranslation();
  const heading = usePageTitle(r.data?.title);
  if (r.error) return <main className="page"><div role="alert" className="alert">{r.error}</div></main>;
  if (!r.data) return <main className="page muted">{t('app.loading')}</main>;
  const d = r.data;
  return (
    <main className="page narrow" data-testid="resource-page">
      <p className="muted"><Link to="/resources">{t('training.resourceCentre')}</Link> › {t(`training.resources.kinds.${d.kind}`)}</p>
      <article lang={d.language}>
        <h1 ref={heading} tabIndex={-1}>{d.title}</h1>
        <p className="muted">{LANGUAGE_LABELS[d.language]} · {t('training.resources.updated', { date: day(d.updatedAt) })} {d.tags.map((x) => <span key={x} className="tag">#{x}</span>)}</p>
        {d.summary && <p><strong>{d.summary}</strong></p>}
        <Markdown text={d.body} testId="resource-body" />
      </article>
    </main>
  );
}

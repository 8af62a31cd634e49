import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'wouter';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { DashboardView, FacilityView, FieldNodeHealth, ResponseTimeRow } from '@hub/contracts';
import { get } from '../api/client';
import { Field } from '../components/Field';
import { AuditCheckpoint } from '../components/AuditCheckpoint';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { formatDate, formatDateTime } from '../i18n/format';
import { notificationText } from '../i18n/notifications';
import { specialtyName } from '../i18n/words';

type Row = Record<string, string | number | null>;

/** The numbers behind a chart, as a CSV file (the same numbers the API answered). */
function downloadCsv(name: string, rows: Row[]) {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]);
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const csv = [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
  a.download = `${name}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function ChartCard({ title, csv, rows, children }: { title: string; csv: string; rows: Row[]; children: React.ReactNode }) {
  return (
    <section className="card chart" aria-label={title} data-testid={`chart-${csv}`}>
      <div className="chart-head">
        <h2>{title}</h2>
        <button className="secondary small" onClick={() => downloadCsv(csv, rows)} disabled={!rows.length}>
          CSV
        </button>
      </div>
      {children}
    </section>
  );
}

const COLORS = { a: '#1f5f99', b: '#f0b429', c: '#5b8c5a', d: '#a4262c' };
const rtRows = (rows: ResponseTimeRow[]): Row[] =>
  rows.map((r) => ({
    group: r.label,
    cases: r.cases,
    accept_median_min: r.acceptMedianMin,
    accept_p90_min: r.acceptP90Min,
    answer_median_min: r.answerMedianMin,
    answer_p90_min: r.answerP90Min,
    within_sla_share: r.withinSlaShare,
  }));

export function DashboardPage() {
  const { t } = useTranslation();
  const heading = usePageTitle(t('dashboard.title'));
  const [params, setParams] = useSearchParams();
  const query = params.toString();
  const data = useApi<DashboardView>(`/api/monitoring/dashboard${query ? `?${query}` : ''}`);
  const facilities = useApi<FacilityView[]>('/api/facilities');
  const specialties = useApi<{ code: string; name: string }[]>('/api/specialties');
  const set = (key: string) => (e: { target: { value: string } }) => {
    const next = new URLSearchParams(params);
    if (e.target.value) next.set(key, e.target.value);
    else next.delete(key);
    setParams(next);
  };
  const d = data.data;
  // "Reference hospital: not yet taken", "Urgency: emergency": rows named in words, not keys.
  const groupLabel = (dimension: string, group: string) => {
    const what = t(`dashboard.dimensions.${dimension}`);
    const value =
      group === 'not yet taken' ? t('dashboard.notYetTaken') : dimension === 'urgency' ? t(`urgency.${group}`) : dimension === 'specialty' ? specialtyName(t, group) : group;
    return dimension === 'overall' ? what : `${what}: ${value}`;
  };
  const weekly: Row[] = d?.weekly ?? [];
  const open: Row[] = d?.openByUrgency.map((o) => ({ urgency: o.urgency, under_1h: o.under1h, '1_24h': o.h1to24, '1_3d': o.d1to3, over_3d: o.over3d })) ?? [];
  const bySpecialty = d ? rtRows(d.responseTimes.bySpecialty) : [];
  const groups: Row[] = d
    ? [
        ...rtRows([d.responseTimes.overall]).map((r) => ({ dimension: 'overall', ...r })),
        ...rtRows(d.responseTimes.byFacility).map((r) => ({ dimension: 'facility', ...r })),
        ...rtRows(d.responseTimes.bySpecialty).map((r) => ({ dimension: 'specialty', ...r })),
        ...rtRows(d.responseTimes.byUrgency).map((r) => ({ dimension: 'urgency', ...r })),
        ...rtRows(d.responseTimes.byReferenceHospital).map((r) => ({ dimension: 'reference_hospital', ...r })),
      ]
    : [];
  const outcomes: Row[] = d
    ? [
        { measure: t('dashboard.measures.treated_locally'), count: d.outcomes.treatedLocally },
        { measure: t('dashboard.measures.evacuated'), count: d.outcomes.evacuated },
        { measure: t('dashboard.measures.transferred'), count: d.outcomes.transferred },
        { measure: t('dashboard.measures.died'), count: d.outcomes.died },
        { measure: t('dashboard.measures.other'), count: d.outcomes.other },
        { measure: t('dashboard.measures.evacuations_recommended'), count: d.outcomes.evacuationsRecommended },
        { measure: t('dashboard.measures.evacuations_performed'), count: d.outcomes.evacuationsPerformed },
        { measure: t('dashboard.measures.evacuations_avoided'), count: d.outcomes.evacuationsAvoided },
      ]
    : [];

  return (
    <main className="page wide">
      <h1 ref={heading} tabIndex={-1}>{t('dashboard.title')}</h1>
      <form className="filters" aria-label={t('dashboard.filters')} onSubmit={(e) => e.preventDefault()}>
        <Field label={t('dashboard.from')}>{(id) => <input id={id} type="date" value={params.get('from') ?? d?.filters.from ?? ''} onChange={set('from')} />}</Field>
        <Field label={t('dashboard.to')}>{(id) => <input id={id} type="date" value={params.get('to') ?? d?.filters.to ?? ''} onChange={set('to')} />}</Field>
        <Field label={t('dashboard.facility')}>
          {(id) => (
            <select id={id} value={params.get('facilityId') ?? ''} onChange={set('facilityId')}>
              <option value="">{t('common.all')}</option>
              {facilities.data?.filter((f) => f.level === 1).map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('dashboard.specialty')}>
          {(id) => (
            <select id={id} value={params.get('specialty') ?? ''} onChange={set('specialty')}>
              <option value="">{t('common.all')}</option>
              {specialties.data?.map((s) => <option key={s.code} value={s.code}>{specialtyName(t, s.code, s.name)}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('dashboard.urgency')}>
          {(id) => (
            <select id={id} value={params.get('urgency') ?? ''} onChange={set('urgency')}>
              <option value="">{t('common.all')}</option><option value="emergency">{t('urgency.emergency')}</option><option value="urgent">{t('urgency.urgent')}</option><option value="routine">{t('urgency.routine')}</option>
            </select>
          )}
        </Field>
      </form>
      {data.error && <div role="alert" className="alert">{data.error}</div>}
      {d && (
        <>
          {d.alerts.length > 0 && (
            <section className="card alerts" aria-label={t('dashboard.alerts')}>
              <h2>{t('dashboard.alerts')}</h2>
              <ul>{d.alerts.map((a, i) => <li key={i} className={a.kind}>{notificationText(t, a)}</li>)}</ul>
            </section>
          )}
          {d.fieldNodes.length > 0 && <FieldNodes nodes={d.fieldNodes} />}
          <section className="card" aria-label={t('followUp.dashboardTitle')} data-testid="follow-up-counts">
            <h2>{t('followUp.dashboardTitle')}</h2>
            <p>{t('followUp.dashboardDue', { count: d.followUps.due })} · <span className={d.followUps.overdue ? 'field-error' : ''}>{t('followUp.dashboardOverdue', { count: d.followUps.overdue })}</span></p>
          </section>
          <div className="kpis">
            <div className="kpi"><span>{d.responseTimes.overall.cases}</span>{t('dashboard.casesSubmitted')}</div>
            <div className="kpi"><span>{d.responseTimes.overall.answerMedianMin ?? '—'}</span>{t('dashboard.medianAnswer')}</div>
            <div className="kpi"><span>{d.responseTimes.overall.withinSlaShare === null ? '—' : `${Math.round(d.responseTimes.overall.withinSlaShare * 100)}%`}</span>{t('dashboard.withinSla')}</div>
            <div className="kpi"><span>{d.sla.answeredLate + d.sla.unansweredPastDeadline}</span>{t('dashboard.slaBreaches')}</div>
            <div className="kpi"><span>{d.outcomes.evacuationsAvoided}</span>{t('dashboard.evacuationsAvoided')}</div>
          </div>
          <div className="charts">
            <ChartCard title={t('dashboard.perWeek')} csv="cases-per-week" rows={weekly}>
              <BarChart width={520} height={260} data={weekly}>
                <CartesianGrid strokeDasharray="3 3" /><XAxis dataKey="week" /><YAxis allowDecimals={false} /><Tooltip /><Legend />
                <Bar dataKey="opened" name={t('dashboard.series.opened')} fill={COLORS.a} isAnimationActive={false} />
                <Bar dataKey="answered" name={t('dashboard.series.answered')} fill={COLORS.c} isAnimationActive={false} />
                <Bar dataKey="closed" name={t('dashboard.series.closed')} fill={COLORS.b} isAnimationActive={false} />
              </BarChart>
            </ChartCard>
            <ChartCard title={t('dashboard.openByAge')} csv="open-cases" rows={open}>
              <BarChart width={520} height={260} data={open}>
                <CartesianGrid strokeDasharray="3 3" /><XAxis dataKey="urgency" tickFormatter={(u: string) => t(`urgency.${u}`)} /><YAxis allowDecimals={false} /><Tooltip /><Legend />
                <Bar dataKey="under_1h" name={t('dashboard.series.under_1h')} stackId="a" fill={COLORS.c} isAnimationActive={false} />
                <Bar dataKey="1_24h" name={t('dashboard.series.1_24h')} stackId="a" fill={COLORS.a} isAnimationActive={false} />
                <Bar dataKey="1_3d" name={t('dashboard.series.1_3d')} stackId="a" fill={COLORS.b} isAnimationActive={false} />
                <Bar dataKey="over_3d" name={t('dashboard.series.over_3d')} stackId="a" fill={COLORS.d} isAnimationActive={false} />
              </BarChart>
            </ChartCard>
            <ChartCard title={t('dashboard.minutesBySpecialty')} csv="response-times" rows={groups}>
              <BarChart width={520} height={260} data={bySpecialty}>
                <CartesianGrid strokeDasharray="3 3" /><XAxis dataKey="group" /><YAxis /><Tooltip /><Legend />
                <Bar dataKey="answer_median_min" name={t('dashboard.series.median')} fill={COLORS.a} isAnimationActive={false} />
                <Bar dataKey="answer_p90_min" name={t('dashboard.series.p90')} fill={COLORS.b} isAnimationActive={false} />
              </BarChart>
            </ChartCard>
            <ChartCard title={t('dashboard.outcomes')} csv="outcomes" rows={outcomes}>
              <BarChart width={520} height={260} data={outcomes} layout="vertical" margin={{ left: 90 }}>
                <CartesianGrid strokeDasharray="3 3" /><XAxis type="number" allowDecimals={false} /><YAxis type="category" dataKey="measure" width={160} /><Tooltip />
                <Bar dataKey="count" name={t('dashboard.series.count')} fill={COLORS.c} isAnimationActive={false} />
              </BarChart>
            </ChartCard>
          </div>
          <section className="card" aria-label={t('dashboard.responseTimes')}>
            <h2>{t('dashboard.responseTimes')}</h2>
            <table>
              <thead><tr><th>{t('dashboard.columns.group')}</th><th>{t('dashboard.columns.cases')}</th><th>{t('dashboard.columns.acceptMedian')}</th><th>{t('dashboard.columns.acceptP90')}</th><th>{t('dashboard.columns.answerMedian')}</th><th>{t('dashboard.columns.answerP90')}</th><th>{t('dashboard.columns.withinSla')}</th></tr></thead>
              <tbody>
                {groups.map((g, i) => (
                  <tr key={i}><td>{groupLabel(String(g.dimension), String(g.group))}</td><td>{g.cases}</td><td>{g.accept_median_min ?? '—'}</td><td>{g.accept_p90_min ?? '—'}</td><td>{g.answer_median_min ?? '—'}</td><td>{g.answer_p90_min ?? '—'}</td><td>{g.within_sla_share === null ? '—' : `${Math.round(Number(g.within_sla_share) * 100)}%`}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
          <AuditCheckpoint />
          <p className="muted">{t('dashboard.footer', { backup: d.sla.escalatedToBackup, manager: d.sla.escalatedToManager })}</p>
        </>
      )}
    </main>
  );
}

/** The missions' field nodes: last contact, changes waiting, version, and whether each is silent or revoked. */
function FieldNodes({ nodes }: { nodes: FieldNodeHealth[] }) {
  const { t } = useTranslation();
  const state = (n: FieldNodeHealth) =>
    n.status === 'revoked'
      ? t('dashboard.fieldNodes.revoked', { date: formatDate(n.revokedAt) })
      : n.status === 'awaiting_enrolment'
        ? t('dashboard.fieldNodes.awaiting_enrolment')
        : n.silent
          ? t('dashboard.fieldNodes.silent', { hours: n.silentAfterHours })
          : t('dashboard.fieldNodes.inContact');
  return (
    <section className="card field-nodes" aria-label={t('dashboard.fieldNodes.title')} data-testid="field-nodes">
      <h2>{t('dashboard.fieldNodes.title')}</h2>
      <table>
        <thead>
          <tr>
            <th>{t('dashboard.fieldNodes.name')}</th><th>{t('dashboard.fieldNodes.facility')}</th><th>{t('dashboard.fieldNodes.state')}</th>
            <th>{t('dashboard.fieldNodes.lastContact')}</th><th>{t('dashboard.fieldNodes.backlog')}</th><th>{t('dashboard.fieldNodes.version')}</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.id} data-node={n.id}>
              <td>{n.name}</td>
              <td>{n.facilityName}</td>
              <td className={n.silent ? 'silent' : n.status}>{state(n)}</td>
              <td>{n.lastContactAt ? formatDateTime(n.lastContactAt) : t('dashboard.fieldNodes.never')}</td>
              <td>{n.backlog ?? '—'}</td>
              <td>{n.version ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

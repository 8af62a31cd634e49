import { useSearchParams } from 'react-router-dom';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { DashboardView, FacilityView, ResponseTimeRow } from '@hub/contracts';
import { get } from '../api/client';
import { Field } from '../components/Field';
import { useApi } from '../components/useApi';

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
        { measure: 'treated locally', count: d.outcomes.treatedLocally },
        { measure: 'evacuated', count: d.outcomes.evacuated },
        { measure: 'transferred', count: d.outcomes.transferred },
        { measure: 'died', count: d.outcomes.died },
        { measure: 'other', count: d.outcomes.other },
        { measure: 'evacuations recommended', count: d.outcomes.evacuationsRecommended },
        { measure: 'evacuations performed', count: d.outcomes.evacuationsPerformed },
        { measure: 'evacuations avoided', count: d.outcomes.evacuationsAvoided },
      ]
    : [];

  return (
    <main className="page wide">
      <h1>Caseload dashboard</h1>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="From">{(id) => <input id={id} type="date" value={params.get('from') ?? d?.filters.from ?? ''} onChange={set('from')} />}</Field>
        <Field label="To">{(id) => <input id={id} type="date" value={params.get('to') ?? d?.filters.to ?? ''} onChange={set('to')} />}</Field>
        <Field label="Facility">
          {(id) => (
            <select id={id} value={params.get('facilityId') ?? ''} onChange={set('facilityId')}>
              <option value="">All</option>
              {facilities.data?.filter((f) => f.level === 1).map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
            </select>
          )}
        </Field>
        <Field label="Specialty">
          {(id) => (
            <select id={id} value={params.get('specialty') ?? ''} onChange={set('specialty')}>
              <option value="">All</option>
              {specialties.data?.map((s) => <option key={s.code} value={s.code}>{s.name}</option>)}
            </select>
          )}
        </Field>
        <Field label="Urgency">
          {(id) => (
            <select id={id} value={params.get('urgency') ?? ''} onChange={set('urgency')}>
              <option value="">All</option><option value="emergency">Emergency</option><option value="urgent">Urgent</option><option value="routine">Routine</option>
            </select>
          )}
        </Field>
      </form>
      {data.error && <div role="alert" className="alert">{data.error}</div>}
      {d && (
        <>
          {d.alerts.length > 0 && (
            <section className="card alerts" aria-label="Alerts">
              <h2>Alerts</h2>
              <ul>{d.alerts.map((a, i) => <li key={i} className={a.kind}>{a.text}</li>)}</ul>
            </section>
          )}
          <div className="kpis">
            <div className="kpi"><span>{d.responseTimes.overall.cases}</span>cases submitted</div>
            <div className="kpi"><span>{d.responseTimes.overall.answerMedianMin ?? '—'}</span>median minutes to answer</div>
            <div className="kpi"><span>{d.responseTimes.overall.withinSlaShare === null ? '—' : `${Math.round(d.responseTimes.overall.withinSlaShare * 100)}%`}</span>answered within SLA</div>
            <div className="kpi"><span>{d.sla.answeredLate + d.sla.unansweredPastDeadline}</span>SLA breaches</div>
            <div className="kpi"><span>{d.outcomes.evacuationsAvoided}</span>evacuations avoided</div>
          </div>
          <div className="charts">
            <ChartCard title="Cases per week" csv="cases-per-week" rows={weekly}>
              <BarChart width={520} height={260} data={weekly}>
                <CartesianGrid strokeDasharray="3 3" /><XAxis dataKey="week" /><YAxis allowDecimals={false} /><Tooltip /><Legend />
                <Bar dataKey="opened" fill={COLORS.a} isAnimationActive={false} />
                <Bar dataKey="answered" fill={COLORS.c} isAnimationActive={false} />
                <Bar dataKey="closed" fill={COLORS.b} isAnimationActive={false} />
              </BarChart>
            </ChartCard>
            <ChartCard title="Open cases by urgency and age" csv="open-cases" rows={open}>
              <BarChart width={520} height={260} data={open}>
                <CartesianGrid strokeDasharray="3 3" /><XAxis dataKey="urgency" /><YAxis allowDecimals={false} /><Tooltip /><Legend />
                <Bar dataKey="under_1h" stackId="a" fill={COLORS.c} isAnimationActive={false} />
                <Bar dataKey="1_24h" stackId="a" fill={COLORS.a} isAnimationActive={false} />
                <Bar dataKey="1_3d" stackId="a" fill={COLORS.b} isAnimationActive={false} />
                <Bar dataKey="over_3d" stackId="a" fill={COLORS.d} isAnimationActive={false} />
              </BarChart>
            </ChartCard>
            <ChartCard title="Minutes to answer by specialty (median, p90)" csv="response-times" rows={groups}>
              <BarChart width={520} height={260} data={bySpecialty}>
                <CartesianGrid strokeDasharray="3 3" /><XAxis dataKey="group" /><YAxis /><Tooltip /><Legend />
                <Bar dataKey="answer_median_min" name="median" fill={COLORS.a} isAnimationActive={false} />
                <Bar dataKey="answer_p90_min" name="p90" fill={COLORS.b} isAnimationActive={false} />
              </BarChart>
            </ChartCard>
            <ChartCard title="Outcomes and evacuations" csv="outcomes" rows={outcomes}>
              <BarChart width={520} height={260} data={outcomes} layout="vertical" margin={{ left: 90 }}>
                <CartesianGrid strokeDasharray="3 3" /><XAxis type="number" allowDecimals={false} /><YAxis type="category" dataKey="measure" width={160} /><Tooltip />
                <Bar dataKey="count" fill={COLORS.c} isAnimationActive={false} />
              </BarChart>
            </ChartCard>
          </div>
          <section className="card" aria-label="Response times">
            <h2>Response times (minutes) and share answered within SLA</h2>
            <table>
              <thead><tr><th>Group</th><th>Cases</th><th>Accept median</th><th>Accept p90</th><th>Answer median</th><th>Answer p90</th><th>Within SLA</th></tr></thead>
              <tbody>
                {groups.map((g, i) => (
                  <tr key={i}><td>{String(g.dimension)}: {g.group}</td><td>{g.cases}</td><td>{g.accept_median_min ?? '—'}</td><td>{g.accept_p90_min ?? '—'}</td><td>{g.answer_median_min ?? '—'}</td><td>{g.answer_p90_min ?? '—'}</td><td>{g.within_sla_share === null ? '—' : `${Math.round(Number(g.within_sla_share) * 100)}%`}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
          <p className="muted">Aggregates only; open a case from <a href="/cases">Mission cases</a>. Escalated to backup hospitals: {d.sla.escalatedToBackup}; to the health manager: {d.sla.escalatedToManager}.</p>
        </>
      )}
    </main>
  );
}

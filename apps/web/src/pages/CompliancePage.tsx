import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { CertificationKind, CertificationState, ComplianceReport } from '@hub/contracts';
import { CERTIFICATION_LABELS, Role, ROLE_LABELS } from '@hub/contracts';
import { get, query } from '../api/client';
import { Field } from '../components/Field';
import { useApi } from '../components/useApi';
import { useAuth } from '../auth/AuthContext';
import { day, STATE_LABELS, T } from '../training/api';

const SERIES: { key: 'certified' | 'expiring' | 'expired' | 'missing' | 'waived'; label: string; color: string }[] = [
  { key: 'certified', label: 'Certified', color: '#5b8c5a' },
  { key: 'expiring', label: 'Expiring (30 days)', color: '#f0b429' },
  { key: 'expired', label: 'Expired', color: '#a4262c' },
  { key: 'missing', label: 'Missing', color: '#8a94a3' },
  { key: 'waived', label: 'Waiver', color: '#1f5f99' },
];

/** The mission's staff against the certifications their roles need: a chart of the totals and the list. */
export function CompliancePage() {
  const { user } = useAuth();
  const isSys = user?.memberships.some((m) => m.role === Role.SystemAdmin) ?? false;
  const all = useApi<{ id: string; code: string }[]>(isSys ? '/api/missions' : null);
  const own = [...new Map((user?.memberships ?? []).filter((m) => m.missionId && m.role !== Role.Trainer).map((m) => [m.missionId!, m.missionCode ?? ''])).entries()];
  const missions = isSys ? (all.data ?? []).map((m) => [m.id, m.code] as [string, string]) : own;
  const [chosen, setMissionId] = useState('');
  const missionId = chosen || missions[0]?.[0] || '';
  const [state, setState] = useState<CertificationState | ''>('');
  const report = useApi<ComplianceReport>(missionId ? `${T}/compliance${query({ missionId })}` : null);
  const r = report.data;
  const chart = r ? (Object.entries(r.totals) as [CertificationKind, ComplianceReport['totals'][CertificationKind]][]).map(([kind, t]) => ({ certification: CERTIFICATION_LABELS[kind], ...t })) : [];
  const rows = r?.rows.filter((x) => !state || x.state === state) ?? [];
  return (
    <main className="page wide" data-testid="compliance-page">
      <h1>Training compliance</h1>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        {missions.length > 1 && (
          <Field label="Mission">{(id) => <select id={id} value={missionId} onChange={(e) => setMissionId(e.target.value)}>{missions.map(([mid, code]) => <option key={mid} value={mid}>{code}</option>)}</select>}</Field>
        )}
        <Field label="Status">
          {(id) => (
            <select id={id} value={state} onChange={(e) => setState(e.target.value as CertificationState | '')}>
              <option value="">All</option>
              {(['certified', 'expiring', 'expired', 'revoked', 'waived', 'missing'] as CertificationState[]).map((s) => <option key={s} value={s}>{STATE_LABELS[s]}</option>)}
            </select>
          )}
        </Field>
      </form>
      {report.error && <div role="alert" className="alert">{report.error}</div>}
      {r && (
        <>
          <section className="card chart" aria-label="Certification status by certification" data-testid="chart-compliance">
            <h2>Staff by certification status</h2>
            <BarChart width={720} height={280} data={chart}>
              <CartesianGrid strokeDasharray="3 3" /><XAxis dataKey="certification" /><YAxis allowDecimals={false} /><Tooltip /><Legend />
              {SERIES.map((s) => <Bar key={s.key} dataKey={s.key} name={s.label} stackId="a" fill={s.color} isAnimationActive={false} />)}
            </BarChart>
          </section>
          <section className="card" aria-label="Staff">
            <h2>Staff ({rows.length})</h2>
            <table data-testid="compliance-table">
              <thead><tr><th>Name</th><th>Roles</th><th>Certification</th><th>Status</th><th>Valid until</th></tr></thead>
              <tbody>
                {rows.map((x) => (
                  <tr key={`${x.userId}-${x.kind}`}>
                    <td>{x.displayName}<div className="muted">{x.email}</div></td>
                    <td>{x.roles.map((ro) => ROLE_LABELS[ro]).join(', ')}</td>
                    <td>{CERTIFICATION_LABELS[x.kind]}</td>
                    <td><span className={`status ${x.state}`}>{STATE_LABELS[x.state]}</span></td>
                    <td>{day(x.expiresAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted">Generated {new Date(r.generatedAt).toLocaleString()}.</p>
          </section>
        </>
      )}
    </main>
  );
}

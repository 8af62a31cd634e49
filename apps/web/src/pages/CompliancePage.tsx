import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { CertificationKind, CertificationState, ComplianceReport } from '@hub/contracts';
import { Role } from '@hub/contracts';
import { get, query } from '../api/client';
import { Field } from '../components/Field';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { formatDateTime } from '../i18n/format';
import { certificationName, roleName } from '../i18n/words';
import { useAuth } from '../auth/AuthContext';
import { day, T } from '../training/api';

/** The chart's series; their names are `training.compliance.series.<key>`. */
const SERIES: { key: 'certified' | 'expiring' | 'expired' | 'missing' | 'waived'; color: string }[] = [
  { key: 'certified', color: '#5b8c5a' },
  { key: 'expiring', color: '#f0b429' },
  { key: 'expired', color: '#a4262c' },
  { key: 'missing', color: '#8a94a3' },
  { key: 'waived', color: '#1f5f99' },
];

/** The mission's staff against the certifications their roles need: a chart of the totals and the list. */
export function CompliancePage() {
  const { user } = useAuth();
  const { t } = useTranslation();
  const heading = usePageTitle(t('training.compliance.title'));
  const isSys = user?.memberships.some((m) => m.role === Role.SystemAdmin) ?? false;
  const all = useApi<{ id: string; code: string }[]>(isSys ? '/api/missions' : null);
  const own = [...new Map((user?.memberships ?? []).filter((m) => m.missionId && m.role !== Role.Trainer).map((m) => [m.missionId!, m.missionCode ?? ''])).entries()];
  const missions = isSys ? (all.data ?? []).map((m) => [m.id, m.code] as [string, string]) : own;
  const [chosen, setMissionId] = useState('');
  const missionId = chosen || missions[0]?.[0] || '';
  const [state, setState] = useState<CertificationState | ''>('');
  const report = useApi<ComplianceReport>(missionId ? `${T}/compliance${query({ missionId })}` : null);
  const r = report.data;
  const chart = r ? (Object.entries(r.totals) as [CertificationKind, ComplianceReport['totals'][CertificationKind]][]).map(([kind, n]) => ({ certification: certificationName(t, kind), ...n })) : [];
  const rows = r?.rows.filter((x) => !state || x.state === state) ?? [];
  return (
    <main className="page wide" data-testid="compliance-page">
      <h1 ref={heading} tabIndex={-1}>{t('training.compliance.title')}</h1>
      <form className="filters" aria-label={t('training.compliance.filters')} onSubmit={(e) => e.preventDefault()}>
        {missions.length > 1 && (
          <Field label={t('training.cohorts.mission')}>{(id) => <select id={id} value={missionId} onChange={(e) => setMissionId(e.target.value)}>{missions.map(([mid, code]) => <option key={mid} value={mid}>{code}</option>)}</select>}</Field>
        )}
        <Field label={t('training.columns.status')}>
          {(id) => (
            <select id={id} value={state} onChange={(e) => setState(e.target.value as CertificationState | '')}>
              <option value="">{t('common.all')}</option>
              {(['certified', 'expiring', 'expired', 'revoked', 'waived', 'missing'] as CertificationState[]).map((s) => <option key={s} value={s}>{t(`training.state.${s}`)}</option>)}
            </select>
          )}
        </Field>
      </form>
      {report.error && <div role="alert" className="alert">{report.error}</div>}
      {r && (
        <>
          <section className="card chart" aria-label={t('training.compliance.chartAria')} data-testid="chart-compliance">
            <h2>{t('training.compliance.chartTitle')}</h2>
            <BarChart width={720} height={280} data={chart}>
              <CartesianGrid strokeDasharray="3 3" /><XAxis dataKey="certification" /><YAxis allowDecimals={false} /><Tooltip /><Legend />
              {SERIES.map((s) => <Bar key={s.key} dataKey={s.key} name={t(`training.compliance.series.${s.key}`)} stackId="a" fill={s.color} isAnimationActive={false} />)}
            </BarChart>
          </section>
          <section className="card" aria-label={t('training.compliance.staffAria')}>
            <h2>{t('training.compliance.staff', { count: rows.length })}</h2>
            <table data-testid="compliance-table">
              <thead><tr><th>{t('training.compliance.name')}</th><th>{t('training.compliance.roles')}</th><th>{t('training.columns.certification')}</th><th>{t('training.columns.status')}</th><th>{t('training.columns.validUntil')}</th></tr></thead>
              <tbody>
                {rows.map((x) => (
                  <tr key={`${x.userId}-${x.kind}`}>
                    <td>{x.displayName}<div className="muted">{x.email}</div></td>
                    <td>{x.roles.map((ro) => roleName(t, ro)).join(', ')}</td>
                    <td>{certificationName(t, x.kind)}</td>
                    <td><span className={`status ${x.state}`}>{t(`training.state.${x.state}`)}</span></td>
                    <td>{day(x.expiresAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted">{t('training.compliance.generated', { time: formatDateTime(r.generatedAt) })}</p>
          </section>
        </>
      )}
    </main>
  );
}

import { useTranslation } from 'react-i18next';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { VITAL_SIGNS, type VitalTrendPoint } from '@hub/contracts';
import { useApi } from '../components/useApi';
import { formatDateTime } from '../i18n/format';

const COLOURS = ['#c0392b', '#2471a3', '#1e8449', '#b9770e', '#7d3c98', '#566573', '#17a589'];

/**
 * A patient's vital signs over time across all their cases the reader may see (the case's vitals at submission and
 * each recorded follow-up check), as a line chart with the same numbers in a table. Loaded on demand (recharts).
 */
export function VitalTrends({ patientId }: { patientId: string }) {
  const { t } = useTranslation();
  const points = useApi<VitalTrendPoint[]>(`/api/patients/${patientId}/vital-trends`);
  if (points.error) return <div role="alert" className="alert">{points.error}</div>;
  if (!points.data) return <p className="muted" role="status">{t('followUp.trendsLoading')}</p>;
  if (!points.data.length) return <p className="muted">{t('followUp.trendsEmpty')}</p>;
  const signs = VITAL_SIGNS.filter((v) => points.data!.some((p) => p.vitals[v] !== undefined));
  const rows = points.data.map((p) => ({ at: formatDateTime(p.at), reference: p.reference, ...p.vitals }));
  return (
    <div data-testid="vital-trends">
      <LineChart width={640} height={260} data={rows}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="at" />
        <YAxis />
        <Tooltip />
        <Legend />
        {signs.map((v, i) => (
          <Line key={v} type="monotone" dataKey={v} name={t(`vitals.short.${v}`)} stroke={COLOURS[i % COLOURS.length]} connectNulls isAnimationActive={false} />
        ))}
      </LineChart>
      <table className="table" aria-label={t('followUp.trendsTable')} data-testid="vital-trends-table">
        <thead>
          <tr><th /><th />{signs.map((v) => <th key={v}>{t(`vitals.short.${v}`)}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}><td>{r.at}</td><td>{r.reference}</td>{signs.map((v) => <td key={v}>{(r as Record<string, unknown>)[v] as number ?? ''}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MissionView, RotationImportResult } from '@hub/contracts';
import { post } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useApi } from '../components/useApi';
import { useSubmit } from '../components/useLoad';
import { usePageTitle } from '../components/usePageTitle';
import { newKey } from '../offline/db';

/** A mission administrator imports an incoming rotation from CSV and reads the per-row report. */
export function RotationImportPage() {
  const { t } = useTranslation();
  const heading = usePageTitle(t('rotations.importTitle'));
  const missions = useApi<MissionView[]>('/api/missions');
  const action = useSubmit();
  const [missionId, setMissionId] = useState('');
  const [cohortName, setCohortName] = useState('');
  const [csv, setCsv] = useState('');
  const [key, setKey] = useState(newKey);
  const [report, setReport] = useState<RotationImportResult | null>(null);
  const mission = missionId || missions.data?.[0]?.id || '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.submit(async () => {
      setReport(await post<RotationImportResult>('/api/rotations/import', { missionId: mission, cohortName, csv }, { idempotencyKey: key }));
      setKey(newKey());
    });
  };
  return (
    <main className="page">
      <h1 ref={heading} tabIndex={-1}>{t('rotations.importTitle')}</h1>
      <p>{t('rotations.importIntro')}</p>
      <form onSubmit={submit} aria-label={t('rotations.importTitle')}>
        <ErrorAlert error={action.error} shown={['missionId', 'cohortName', 'csv']} />
        <Field label={t('rotations.mission')} problems={action.problems('missionId')}>
          {(fid) => (
            <select id={fid} value={mission} onChange={(e) => setMissionId(e.target.value)}>
              {missions.data?.map((m) => <option key={m.id} value={m.id}>{m.code}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('rotations.cohortName')} problems={action.problems('cohortName')}>
          {(fid) => <input id={fid} value={cohortName} onChange={(e) => setCohortName(e.target.value)} />}
        </Field>
        <Field label={t('rotations.file')} problems={action.problems('csv')}>
          {(fid) => <input id={fid} type="file" accept=".csv,text/csv" onChange={async (e) => setCsv((await e.target.files?.[0]?.text()) ?? '')} />}
        </Field>
        {action.busy && <p role="status" className="notice">{t('rotations.importing')}</p>}
        <button type="submit" disabled={action.busy || !csv}>{t('rotations.import')}</button>
      </form>
      {report && (
        <section className="card" data-testid="rotation-report">
          <p role="status">{t('rotations.summary', { created: report.created, already: report.alreadyImported, refused: report.refused, cohort: report.cohortName })}</p>
          {report.created > 0 && <p className="muted">{t('rotations.passwordNote')}</p>}
          <table className="table">
            <thead><tr><th>{t('rotations.line')}</th><th>{t('rotations.email')}</th><th>{t('rotations.status')}</th><th>{t('rotations.reason')}</th></tr></thead>
            <tbody>
              {report.rows.map((r) => (
                <tr key={r.line} className={r.status}>
                  <td>{r.line}</td><td>{r.email ?? ''}</td><td>{t(`rotations.rowStatus.${r.status}`)}</td><td>{r.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </main>
  );
}

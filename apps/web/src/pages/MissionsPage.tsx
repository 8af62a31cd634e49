import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MissionView } from '@hub/contracts';
import { get, patch, post } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { usePending, useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { isSystemAdmin } from '../roles';
import { usePageTitle } from '../components/usePageTitle';

/** Missions: system administrators see and create all; mission administrators edit their own. */
export function MissionsPage() {
  const { user } = useAuth();
  const sys = !!user && isSystemAdmin(user);
  const { t } = useTranslation();
  const heading = usePageTitle(t('admin.missions.title'));
  const { data, error, reload } = useApi<MissionView[]>('/api/missions');
  const form = useSubmit();
  const action = useSubmit();
  const rename = useSubmit();
  const mfa = usePending();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [mfaAll, setMfaAll] = useState(false);
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);

  async function create(e: FormEvent) {
    e.preventDefault();
    const body = { code: code.trim(), name: name.trim(), mfaRequiredForAll: mfaAll };
    if (await form.submit(() => post('/api/missions', body).then(() => undefined))) {
      setCode('');
      setName('');
      setMfaAll(false);
      reload();
    }
  }

  const change = (m: MissionView, body: Partial<Pick<MissionView, 'name' | 'mfaRequiredForAll' | 'active'>>) =>
    action.submit(() => patch(`/api/missions/${m.id}`, body).then(reload));

  async function saveName(e: FormEvent) {
    e.preventDefault();
    if (!editing) return;
    const id = editing.id;
    if (await rename.submit(() => patch(`/api/missions/${id}`, { name: editing.name.trim() }).then(() => undefined))) {
      setEditing(null);
      reload();
    }
  }

  return (
    <main className="page" data-testid="admin-missions">
      <h1 ref={heading} tabIndex={-1}>{t('admin.missions.title')}</h1>
      {error && <div role="alert" className="alert">{error}</div>}
      <ErrorAlert error={action.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('admin.missions.code')}</th>
              <th>{t('admin.missions.name')}</th>
              <th>{t('admin.missions.mfaAll')}</th>
              <th>{t('admin.missions.status')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.length === 0 && (
              <tr>
                <td colSpan={4} className="muted">{t('admin.missions.none')}</td>
              </tr>
            )}
            {data?.map((m) => (
              <tr key={m.id} className={m.active ? '' : 'inactive'}>
                <td>{m.code}</td>
                <td>
                  {editing?.id === m.id ? (
                    <form onSubmit={saveName} className="row-form">
                      <Field label={t('admin.missions.newName', { code: m.code })} problems={rename.problems('name')}>
                        {(id, d) => (
                          <input id={id} aria-describedby={d} value={editing.name} autoFocus onChange={(e) => setEditing({ ...editing, name: e.target.value })} />
                        )}
                      </Field>
                      <button type="submit" className="small" disabled={rename.busy}>{t('admin.save')}</button>
                      <button type="button" className="secondary small" onClick={() => setEditing(null)}>{t('common.cancel')}</button>
                      <ErrorAlert error={rename.error} shown={['name']} />
                    </form>
                  ) : (
                    <>
                      {m.name}
                      <button type="button" className="secondary small" onClick={() => setEditing({ id: m.id, name: m.name })}>
                        {t('admin.missions.rename')}<span className="sr-only"> {m.code}</span>
                      </button>
                    </>
                  )}
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={t('admin.missions.mfaOf', { code: m.code })}
                    checked={mfa.value(m.id, m.mfaRequiredForAll)}
                    onChange={(e) => {
                      const next = e.target.checked;
                      void mfa.run(m.id, next, () => change(m, { mfaRequiredForAll: next }));
                    }}
                  />
                </td>
                <td>
                  {m.active ? t('admin.active') : t('admin.inactive')}
                  {sys && (
                    <button type="button" className="secondary small" disabled={action.busy} onClick={() => change(m, { active: !m.active })}>
                      {m.active ? t('admin.deactivate') : t('admin.activate')}
                      <span className="sr-only"> {m.code}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data?.map((m) => <MissionSettings key={`${m.id}:${m.timeZone}:${m.staffSelfBooking}:${m.breakGlassMinutes}`} m={m} onSaved={reload} />)}
      {sys && (
        <form onSubmit={create} className="card inline-form" aria-label={t('admin.missions.new')}>
          <h2>{t('admin.missions.new')}</h2>
          <Field label={t('admin.missions.code')} problems={form.problems('code')}>
            {(id, d) => <input id={id} aria-describedby={d} value={code} required onChange={(e) => setCode(e.target.value.toUpperCase())} placeholder={t('admin.missions.codeHint')} />}
          </Field>
          <Field label={t('admin.missions.name')} problems={form.problems('name')}>
            {(id, d) => <input id={id} aria-describedby={d} value={name} required onChange={(e) => setName(e.target.value)} />}
          </Field>
          <label className="check">
            <input type="checkbox" checked={mfaAll} onChange={(e) => setMfaAll(e.target.checked)} /> {t('admin.missions.requireMfa')}
          </label>
          <ErrorAlert error={form.error} shown={['code', 'name']} />
          <button type="submit" disabled={form.busy}>{t('admin.missions.create')}</button>
        </form>
      )}
    </main>
  );
}

/** IANA zones the browser knows, offered while typing a mission's time zone (the hub checks the name). */
const ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['Africa/Bangui', 'Africa/Juba', 'Africa/Nairobi', 'UTC'];
  }
})();

/**
 * A mission's settings: the time zone its times are shown in, whether staff may book mental-health sessions for
 * themselves, and how long a break-the-glass (emergency) access lasts.
 */
function MissionSettings({ m, onSaved }: { m: MissionView; onSaved: () => unknown }) {
  const { t } = useTranslation();
  const save = useSubmit();
  const [timeZone, setTimeZone] = useState(m.timeZone);
  const [selfBooking, setSelfBooking] = useState(m.staffSelfBooking);
  const [minutes, setMinutes] = useState(String(m.breakGlassMinutes ?? 120));
  const [saved, setSaved] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const body = { timeZone: timeZone.trim(), staffSelfBooking: selfBooking, breakGlassMinutes: Number(minutes) };
    if (await save.submit(() => patch(`/api/missions/${m.id}`, body))) {
      setSaved(true);
      await onSaved();
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="card inline-form" aria-label={t('missionSettings.title', { code: m.code })} data-testid={`mission-settings-${m.code}`}>
      <h2>{t('missionSettings.title', { code: m.code })}</h2>
      <Field label={t('missionSettings.timeZone')} problems={save.problems('timeZone')}>
        {(id, d) => (
          <>
            <input id={id} aria-describedby={d} list={`${id}-zones`} value={timeZone} required onChange={(e) => setTimeZone(e.target.value)} />
            <datalist id={`${id}-zones`}>{ZONES.map((z) => <option key={z} value={z} />)}</datalist>
          </>
        )}
      </Field>
      <label className="check">
        <input type="checkbox" checked={selfBooking} onChange={(e) => setSelfBooking(e.target.checked)} /> {t('missionSettings.staffSelfBooking')}
      </label>
      <Field label={t('missionSettings.breakGlassMinutes')} problems={save.problems('breakGlassMinutes')}>
        {(id, d) => <input id={id} aria-describedby={d} type="number" min={15} max={720} step={5} value={minutes} required onChange={(e) => setMinutes(e.target.value)} />}
      </Field>
      <ErrorAlert error={save.error} shown={['timeZone', 'breakGlassMinutes']} />
      {saved && <p role="status">{t('missionSettings.saved')}</p>}
      <button type="submit" disabled={save.busy}>{t('missionSettings.save')}</button>
    </form>
  );
}

import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FacilityLevel, FacilityView, MissionView } from '@hub/contracts';
import { get, patch, post, query } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { MissionFilter } from '../components/MissionFilter';
import { useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';

/** Facility levels; their names are `admin.facilities.levels.<level>`. */
const LEVELS: FacilityLevel[] = [1, 2, 3, 4];

interface Draft {
  id: string | null;
  name: string;
  level: FacilityLevel;
  missionIds: string[];
  /** IANA zone when it differs from the mission's ('' = the mission's); set when editing. */
  timeZone: string;
}
const blank: Draft = { id: null, name: '', level: 1, missionIds: [], timeZone: '' };

/** Clinics and hospitals. Levels 1-3 belong to one mission; a Level 4 reference hospital may serve several. */
export function FacilitiesPage() {
  const [missionId, setMissionId] = useState('');
  const { t } = useTranslation();
  const heading = usePageTitle(t('admin.facilities.title'));
  const missions = useApi<MissionView[]>('/api/missions');
  const facilities = useApi<FacilityView[]>(`/api/facilities${query({ missionId })}`);
  const form = useSubmit();
  const action = useSubmit();
  const [draft, setDraft] = useState<Draft>(blank);
  const code = (id: string) => missions.data?.find((m) => m.id === id)?.code ?? '—';
  const multi = draft.level === 4;

  async function save(e: FormEvent) {
    e.preventDefault();
    const body = { name: draft.name.trim(), level: draft.level, missionIds: draft.missionIds, ...(draft.id ? { timeZone: draft.timeZone.trim() || null } : {}) };
    const ok = await form.submit(() =>
      (draft.id ? patch(`/api/facilities/${draft.id}`, body) : post('/api/facilities', body)).then(() => undefined),
    );
    if (ok) {
      setDraft(blank);
      facilities.reload();
    }
  }

  const setLevel = (level: FacilityLevel) =>
    // Leaving Level 4 keeps only the first mission: Levels 1-3 belong to exactly one.
    setDraft({ ...draft, level, missionIds: level === 4 ? draft.missionIds : draft.missionIds.slice(0, 1) });

  return (
    <main className="page" data-testid="admin-facilities">
      <h1 ref={heading} tabIndex={-1}>{t('admin.facilities.title')}</h1>
      <div className="filters">
        <MissionFilter missions={missions.data} value={missionId} onChange={setMissionId} />
      </div>
      {facilities.error && <div role="alert" className="alert">{facilities.error}</div>}
      <ErrorAlert error={action.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('admin.facilities.name')}</th>
              <th>{t('admin.facilities.level')}</th>
              <th>{t('admin.facilities.missions')}</th>
              <th>{t('missionSettings.facilityTimeZoneColumn')}</th>
              <th>{t('admin.missions.status')}</th>
              <th><span className="sr-only">{t('admin.facilities.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {facilities.data?.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">{t('admin.facilities.none')}</td>
              </tr>
            )}
            {facilities.data?.map((f) => (
              <tr key={f.id} className={[f.active ? '' : 'inactive', draft.id === f.id ? 'selected' : ''].join(' ').trim()}>
                <td>{f.name}</td>
                <td>{t('evacuation.level', { level: f.level })}</td>
                <td>{f.missionIds.map(code).join(', ')}</td>
                <td>{f.timeZone ?? t('missionSettings.missionZone')}</td>
                <td>{f.active ? t('admin.active') : t('admin.inactive')}</td>
                <td className="nowrap">
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => setDraft({ id: f.id, name: f.name, level: f.level, missionIds: f.missionIds, timeZone: f.timeZone ?? '' })}
                  >
                    {t('admin.facilities.edit')}<span className="sr-only"> {f.name}</span>
                  </button>
                  <button
                    type="button"
                    className="secondary small"
                    disabled={action.busy}
                    onClick={() => action.submit(() => patch(`/api/facilities/${f.id}`, { active: !f.active }).then(facilities.reload))}
                  >
                    {f.active ? t('admin.deactivate') : t('admin.activate')}
                    <span className="sr-only"> {f.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form onSubmit={save} className="card inline-form" aria-label={draft.id ? t('admin.facilities.editForm') : t('admin.facilities.new')}>
        <h2>{draft.id ? t('admin.facilities.editName', { name: facilities.data?.find((f) => f.id === draft.id)?.name ?? t('admin.facilities.facility') }) : t('admin.facilities.new')}</h2>
        <Field label={t('admin.facilities.name')} problems={form.problems('name')}>
          {(id, d) => <input id={id} aria-describedby={d} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />}
        </Field>
        <Field label={t('admin.facilities.level')} problems={form.problems('level')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={draft.level} onChange={(e) => setLevel(Number(e.target.value) as FacilityLevel)}>
              {LEVELS.map((l) => (
                <option key={l} value={l}>{t(`admin.facilities.levels.${l}`)}</option>
              ))}
            </select>
          )}
        </Field>
        {multi ? (
          <fieldset className="field">
            <legend>{t('admin.facilities.missionsServed')}</legend>
            <div className="checks">
              {missions.data?.map((m) => (
                <label key={m.id} className="check">
                  <input
                    type="checkbox"
                    checked={draft.missionIds.includes(m.id)}
                    onChange={(e) =>
                      setDraft({
                        ...draft,
                        missionIds: e.target.checked ? [...draft.missionIds, m.id] : draft.missionIds.filter((x) => x !== m.id),
                      })
                    }
                  />{' '}
                  {m.code} — {m.name}
                </label>
              ))}
            </div>
            {form.problems('missionIds').length > 0 && <div className="field-error">{form.problems('missionIds').join('; ')}</div>}
          </fieldset>
        ) : (
          <Field label={t('admin.users.mission')} problems={form.problems('missionIds')}>
            {(id, d) => (
              <select id={id} aria-describedby={d} required value={draft.missionIds[0] ?? ''} onChange={(e) => setDraft({ ...draft, missionIds: e.target.value ? [e.target.value] : [] })}>
                <option value="">{t('common.choose')}</option>
                {missions.data?.map((m) => (
                  <option key={m.id} value={m.id}>{m.code} — {m.name}</option>
                ))}
              </select>
            )}
          </Field>
        )}
        {draft.id && (
          <Field label={t('missionSettings.facilityTimeZone')} problems={form.problems('timeZone')}>
            {(id, d) => <input id={id} aria-describedby={d} value={draft.timeZone} placeholder={t('missionSettings.timeZoneExample')} onChange={(e) => setDraft({ ...draft, timeZone: e.target.value })} />}
          </Field>
        )}
        <ErrorAlert error={form.error} shown={['name', 'level', 'missionIds', 'timeZone']} />
        <div className="buttons">
          <button type="submit" disabled={form.busy}>{draft.id ? t('admin.facilities.save') : t('admin.facilities.create')}</button>
          {draft.id && (
            <button type="button" className="secondary" onClick={() => setDraft(blank)}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      </form>
    </main>
  );
}

import { FormEvent, useState } from 'react';
import type { FacilityView, MissionView } from '@hub/contracts';
import { get, patch, post } from '../api/client';
import { Field } from '../components/Field';
import { useLoad, useSubmit } from '../components/useLoad';

export function FacilitiesPage() {
  const missions = useLoad(() => get<MissionView[]>('/api/missions'));
  const facilities = useLoad(() => get<FacilityView[]>('/api/facilities'));
  const form = useSubmit();
  const [name, setName] = useState('');
  const [level, setLevel] = useState(1);
  const [missionIds, setMissionIds] = useState<string[]>([]);
  const code = (id: string) => missions.data?.find((m) => m.id === id)?.code ?? '—';

  async function create(e: FormEvent) {
    e.preventDefault();
    if (await form.submit(() => post('/api/facilities', { name, level, missionIds }).then(() => undefined))) {
      setName('');
      setMissionIds([]);
      facilities.reload();
    }
  }

  return (
    <main className="page">
      <h1>Facilities</h1>
      {facilities.error && <div role="alert" className="alert">{facilities.error}</div>}
      <table>
        <thead>
          <tr><th>Name</th><th>Level</th><th>Missions</th><th>Active</th></tr>
        </thead>
        <tbody>
          {facilities.data?.map((f) => (
            <tr key={f.id}>
              <td>{f.name}</td>
              <td>Level {f.level}</td>
              <td>{f.missionIds.map(code).join(', ')}</td>
              <td>
                <button
                  type="button"
                  className="secondary"
                  onClick={async () => {
                    await patch(`/api/facilities/${f.id}`, { active: !f.active });
                    facilities.reload();
                  }}
                >
                  {f.active ? 'Deactivate' : 'Activate'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={create} className="card inline-form" aria-label="New facility">
        <h2>New facility</h2>
        <Field label="Name" problems={form.problems('name')}>
          {(id, d) => <input id={id} aria-describedby={d} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Level" problems={form.problems('level')}>
          {(id) => (
            <select id={id} value={level} onChange={(e) => setLevel(Number(e.target.value))}>
              <option value={1}>Level 1 (unit clinic)</option>
              <option value={2}>Level 2 (field hospital)</option>
              <option value={3}>Level 3 (advanced)</option>
              <option value={4}>Level 4 (reference hospital)</option>
            </select>
          )}
        </Field>
        <Field label="Missions" problems={form.problems('missionIds')}>
          {(id) => (
            <select id={id} multiple={level === 4} value={level === 4 ? missionIds : missionIds[0] ?? ''} onChange={(e) => setMissionIds(Array.from(e.target.selectedOptions, (o) => o.value).filter(Boolean))}>
              {level !== 4 && <option value="">Choose…</option>}
              {missions.data?.map((m) => (
                <option key={m.id} value={m.id}>{m.code}</option>
              ))}
            </select>
          )}
        </Field>
        {form.error && !form.error.body.fields && <div role="alert" className="alert">{form.error.message}</div>}
        <button type="submit" disabled={form.busy}>Create facility</button>
      </form>
    </main>
  );
}

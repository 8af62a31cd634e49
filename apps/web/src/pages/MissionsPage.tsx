import { FormEvent, useState } from 'react';
import type { MissionView } from '@hub/contracts';
import { get, patch, post } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { Field } from '../components/Field';
import { useLoad, useSubmit } from '../components/useLoad';
import { isSystemAdmin } from '../roles';

export function MissionsPage() {
  const { user } = useAuth();
  const { data, error, reload } = useLoad(() => get<MissionView[]>('/api/missions'));
  const form = useSubmit();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');

  async function create(e: FormEvent) {
    e.preventDefault();
    if (await form.submit(() => post('/api/missions', { code, name }).then(() => undefined))) {
      setCode('');
      setName('');
      reload();
    }
  }

  return (
    <main className="page">
      <h1>Missions</h1>
      {error && <div role="alert" className="alert">{error}</div>}
      <table>
        <thead>
          <tr><th>Code</th><th>Name</th><th>MFA for everyone</th><th>Active</th></tr>
        </thead>
        <tbody>
          {data?.map((m) => (
            <tr key={m.id}>
              <td>{m.code}</td>
              <td>{m.name}</td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Require MFA for everyone in ${m.code}`}
                  checked={m.mfaRequiredForAll}
                  onChange={async (e) => {
                    await patch(`/api/missions/${m.id}`, { mfaRequiredForAll: e.target.checked });
                    reload();
                  }}
                />
              </td>
              <td>{m.active ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {user && isSystemAdmin(user) && (
        <form onSubmit={create} className="card inline-form" aria-label="New mission">
          <h2>New mission</h2>
          <Field label="Code" problems={form.problems('code')}>
            {(id, d) => <input id={id} aria-describedby={d} value={code} onChange={(e) => setCode(e.target.value.toUpperCase())} placeholder="MINUSMA" />}
          </Field>
          <Field label="Name" problems={form.problems('name')}>
            {(id, d) => <input id={id} aria-describedby={d} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          {form.error && !form.error.body.fields && <div role="alert" className="alert">{form.error.message}</div>}
          <button type="submit" disabled={form.busy}>Create mission</button>
        </form>
      )}
    </main>
  );
}

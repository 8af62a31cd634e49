import { FormEvent, useState } from 'react';
import { FacilityView, MissionView, Role, ROLE_LABELS, UserView } from '@hub/contracts';
import { del, get, patch, post } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { Field } from '../components/Field';
import { useLoad, useSubmit } from '../components/useLoad';
import { isSystemAdmin } from '../roles';

const FACILITY_ROLES = [Role.FieldMedicalOfficer, Role.ReferenceDoctor];

/** Role + mission/facility chooser shared by "new user" and "add membership". */
function MembershipFields(props: {
  missions: MissionView[];
  facilities: FacilityView[];
  value: { role: Role; missionId: string; facilityId: string };
  onChange: (v: { role: Role; missionId: string; facilityId: string }) => void;
  problems: (f: string) => string[];
  prefix?: string;
  allowSystemAdmin: boolean;
}) {
  const { value, onChange, problems, prefix = '' } = props;
  const needsFacility = FACILITY_ROLES.includes(value.role);
  const facilities = props.facilities.filter((f) => !value.missionId || f.missionIds.includes(value.missionId));
  return (
    <>
      <Field label="Role" problems={problems(`${prefix}role`)}>
        {(id) => (
          <select id={id} value={value.role} onChange={(e) => onChange({ ...value, role: e.target.value as Role })}>
            {Object.values(Role)
              .filter((r) => props.allowSystemAdmin || r !== Role.SystemAdmin)
              .map((r) => (
                <option key={r} value={r}>{ROLE_LABELS[r]}</option>
              ))}
          </select>
        )}
      </Field>
      {value.role !== Role.SystemAdmin && (
        <Field label="Mission" problems={problems(`${prefix}missionId`)}>
          {(id) => (
            <select id={id} value={value.missionId} onChange={(e) => onChange({ ...value, missionId: e.target.value, facilityId: '' })}>
              <option value="">{needsFacility ? '(from the facility)' : 'Choose…'}</option>
              {props.missions.map((m) => (
                <option key={m.id} value={m.id}>{m.code}</option>
              ))}
            </select>
          )}
        </Field>
      )}
      {value.role !== Role.SystemAdmin && (
        <Field label="Facility" problems={problems(`${prefix}facilityId`)}>
          {(id) => (
            <select id={id} value={value.facilityId} onChange={(e) => onChange({ ...value, facilityId: e.target.value })}>
              <option value="">{needsFacility ? 'Choose…' : '(none)'}</option>
              {facilities.map((f) => (
                <option key={f.id} value={f.id}>{f.name}</option>
              ))}
            </select>
          )}
        </Field>
      )}
    </>
  );
}

const membershipBody = (v: { role: Role; missionId: string; facilityId: string }) => ({
  role: v.role,
  ...(v.missionId ? { missionId: v.missionId } : {}),
  ...(v.facilityId ? { facilityId: v.facilityId } : {}),
});

export function UsersPage() {
  const { user: me } = useAuth();
  const [q, setQ] = useState('');
  const users = useLoad(() => get<UserView[]>(`/api/users${q ? `?q=${encodeURIComponent(q)}` : ''}`), [q]);
  const missions = useLoad(() => get<MissionView[]>('/api/missions'));
  const facilities = useLoad(() => get<FacilityView[]>('/api/facilities'));
  const [selected, setSelected] = useState<string | null>(null);
  const create = useSubmit();
  const member = useSubmit();
  const blank = { role: Role.FieldMedicalOfficer, missionId: '', facilityId: '' };
  const [draft, setDraft] = useState({ email: '', displayName: '', password: '' });
  const [draftMembership, setDraftMembership] = useState(blank);
  const [extra, setExtra] = useState(blank);
  const sys = !!me && isSystemAdmin(me);
  const current = users.data?.find((u) => u.id === selected) ?? null;

  async function submitUser(e: FormEvent) {
    e.preventDefault();
    const ok = await create.submit(() =>
      post('/api/users', { ...draft, membership: membershipBody(draftMembership) }).then(() => undefined),
    );
    if (ok) {
      setDraft({ email: '', displayName: '', password: '' });
      users.reload();
    }
  }

  async function submitMembership(e: FormEvent) {
    e.preventDefault();
    if (!current) return;
    if (await member.submit(() => post(`/api/users/${current.id}/memberships`, membershipBody(extra)).then(() => undefined))) {
      users.reload();
    }
  }

  return (
    <main className="page">
      <h1>Users</h1>
      <Field label="Search">
        {(id) => <input id={id} value={q} onChange={(e) => setQ(e.target.value)} placeholder="name or email" />}
      </Field>
      {users.error && <div role="alert" className="alert">{users.error}</div>}
      <div className="split">
        <table>
          <thead>
            <tr><th>Name</th><th>Email</th><th>Roles</th><th>MFA</th><th>Active</th></tr>
          </thead>
          <tbody>
            {users.data?.map((u) => (
              <tr key={u.id} className={u.id === selected ? 'selected' : ''} onClick={() => setSelected(u.id)}>
                <td><button type="button" className="linklike" onClick={() => setSelected(u.id)}>{u.displayName}</button></td>
                <td>{u.email}</td>
                <td>{[...new Set(u.memberships.map((m) => ROLE_LABELS[m.role]))].join(', ')}</td>
                <td>{u.mfaEnabled ? 'on' : 'off'}</td>
                <td>
                  <label className="switch">
                    <input
                      type="checkbox"
                      aria-label={`Active: ${u.email}`}
                      checked={u.active}
                      disabled={u.id === me?.id}
                      onChange={async (e) => {
                        await patch(`/api/users/${u.id}`, { active: e.target.checked });
                        users.reload();
                      }}
                    />
                  </label>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {current && (
          <section className="card" aria-label={`Memberships of ${current.displayName}`}>
            <h2>{current.displayName}</h2>
            <ul className="memberships">
              {current.memberships.map((m) => (
                <li key={m.id}>
                  {ROLE_LABELS[m.role]} — {[m.facilityName, m.missionCode].filter(Boolean).join(', ') || 'all missions'}
                  <button
                    type="button"
                    className="secondary small"
                    onClick={async () => {
                      await del(`/api/memberships/${m.id}`);
                      users.reload();
                    }}
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
            <form onSubmit={submitMembership} aria-label="Add membership">
              <MembershipFields missions={missions.data ?? []} facilities={facilities.data ?? []} value={extra} onChange={setExtra} problems={member.problems} allowSystemAdmin={sys} />
              {member.error && <div role="alert" className="alert">{member.error.message}</div>}
              <button type="submit" disabled={member.busy}>Add membership</button>
            </form>
          </section>
        )}
      </div>
      <form onSubmit={submitUser} className="card inline-form" aria-label="New user">
        <h2>New user</h2>
        <Field label="Email" problems={create.problems('email')}>
          {(id, d) => <input id={id} type="email" aria-describedby={d} value={draft.email} onChange={(e) => setDraft({ ...draft, email: e.target.value })} />}
        </Field>
        <Field label="Full name" problems={create.problems('displayName')}>
          {(id, d) => <input id={id} aria-describedby={d} value={draft.displayName} onChange={(e) => setDraft({ ...draft, displayName: e.target.value })} />}
        </Field>
        <Field label="Initial password" problems={create.problems('password')}>
          {(id, d) => <input id={id} type="password" autoComplete="new-password" aria-describedby={d} value={draft.password} onChange={(e) => setDraft({ ...draft, password: e.target.value })} />}
        </Field>
        <MembershipFields missions={missions.data ?? []} facilities={facilities.data ?? []} value={draftMembership} onChange={setDraftMembership} problems={create.problems} prefix="membership." allowSystemAdmin={sys} />
        {create.error && <div role="alert" className="alert">{create.error.message}</div>}
        <button type="submit" disabled={create.busy}>Create user</button>
      </form>
    </main>
  );
}

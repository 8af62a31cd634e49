import { FormEvent, useEffect, useState } from 'react';
import { FacilityView, MissionView, Role, ROLE_LABELS, UserView } from '@hub/contracts';
import { del, get, patch, post, query } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { RotationEnd } from '../rotations/RotationEnd';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { MissionFilter } from '../components/MissionFilter';
import { SpecialtyPicker } from '../components/SpecialtyPicker';
import { usePending, useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { isSystemAdmin } from '../roles';

/** Roles whose membership names the facility where they work. */
const FACILITY_ROLES = [Role.FieldMedicalOfficer, Role.ReferenceDoctor];

interface MembershipDraft {
  /** '' = no membership (only a system administrator may create such a user). */
  role: Role | '';
  missionId: string;
  facilityId: string;
}
const blankMembership: MembershipDraft = { role: Role.FieldMedicalOfficer, missionId: '', facilityId: '' };
const MEMBERSHIP_FIELDS = ['role', 'missionId', 'facilityId'];

/** Role + mission/facility chooser shared by "new user" and "add membership"; the selects are filled from the API. */
function MembershipFields(props: {
  missions: MissionView[];
  facilities: FacilityView[];
  value: MembershipDraft;
  onChange: (v: MembershipDraft) => void;
  problems: (f: string) => string[];
  allowSystemAdmin: boolean;
  allowNone?: boolean;
}) {
  const { value, onChange, problems } = props;
  const needsFacility = value.role !== '' && FACILITY_ROLES.includes(value.role);
  const scoped = value.role !== '' && value.role !== Role.SystemAdmin;
  const facilities = props.facilities.filter((f) => f.active && (!value.missionId || f.missionIds.includes(value.missionId)));
  return (
    <>
      <Field label="Role" problems={problems('role')}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={value.role} onChange={(e) => onChange({ ...value, role: e.target.value as Role | '' })}>
            {props.allowNone && <option value="">(no role yet)</option>}
            {Object.values(Role)
              .filter((r) => props.allowSystemAdmin || r !== Role.SystemAdmin)
              .map((r) => (
                <option key={r} value={r}>{ROLE_LABELS[r]}</option>
              ))}
          </select>
        )}
      </Field>
      {scoped && (
        <Field label="Mission" problems={problems('missionId')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={value.missionId} onChange={(e) => onChange({ ...value, missionId: e.target.value, facilityId: '' })}>
              <option value="">{needsFacility ? '(from the facility)' : 'Choose…'}</option>
              {props.missions.filter((m) => m.active).map((m) => (
                <option key={m.id} value={m.id}>{m.code}</option>
              ))}
            </select>
          )}
        </Field>
      )}
      {scoped && (
        <Field label="Facility" problems={problems('facilityId')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={value.facilityId} onChange={(e) => onChange({ ...value, facilityId: e.target.value })}>
              <option value="">{needsFacility ? 'Choose…' : '(none)'}</option>
              {facilities.map((f) => (
                <option key={f.id} value={f.id}>{/level/i.test(f.name) ? f.name : `${f.name} (Level ${f.level})`}</option>
              ))}
            </select>
          )}
        </Field>
      )}
    </>
  );
}

const membershipBody = (v: MembershipDraft) =>
  v.role === ''
    ? undefined
    : {
        role: v.role,
        ...(v.role !== Role.SystemAdmin && v.missionId ? { missionId: v.missionId } : {}),
        ...(v.role !== Role.SystemAdmin && v.facilityId ? { facilityId: v.facilityId } : {}),
      };

const where = (m: UserView['memberships'][number]) => [m.facilityName, m.missionCode].filter(Boolean).join(', ') || 'all missions';

/** One user's details and memberships: edit name and specialties, add and remove memberships. */
function UserPanel(props: {
  user: UserView;
  missions: MissionView[];
  facilities: FacilityView[];
  allowSystemAdmin: boolean;
  onChanged: () => void;
  onClose: () => void;
}) {
  const { user } = props;
  const details = useSubmit();
  const member = useSubmit();
  const remove = useSubmit();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [specialties, setSpecialties] = useState(user.specialties);
  const [extra, setExtra] = useState<MembershipDraft>(blankMembership);
  useEffect(() => {
    setDisplayName(user.displayName);
    setSpecialties(user.specialties);
  }, [user]);

  async function saveDetails(e: FormEvent) {
    e.preventDefault();
    if (await details.submit(() => patch(`/api/users/${user.id}`, { displayName: displayName.trim(), specialties }).then(() => undefined))) {
      props.onChanged();
    }
  }

  async function addMembership(e: FormEvent) {
    e.preventDefault();
    if (await member.submit(() => post(`/api/users/${user.id}/memberships`, membershipBody(extra)).then(() => undefined))) {
      setExtra(blankMembership);
      props.onChanged();
    }
  }

  return (
    <section className="card" aria-label={`Memberships of ${user.displayName}`} data-testid="user-panel">
      <div className="panel-head">
        <h2>{user.displayName}</h2>
        <button type="button" className="secondary small" onClick={props.onClose}>
          Close<span className="sr-only"> the user panel</span>
        </button>
      </div>
      <p className="muted">
        {user.email} · MFA {user.mfaEnabled ? 'on' : 'off'} · {user.active ? 'active' : 'deactivated'}
      </p>
      <h3>Memberships</h3>
      {user.memberships.length === 0 && <p className="muted">No membership: this user cannot do anything yet.</p>}
      <ul className="memberships">
        {user.memberships.map((m) => (
          <li key={m.id}>
            <span className="badge outline">{ROLE_LABELS[m.role]}</span> {where(m)}
            <RotationEnd m={m} onChanged={props.onChanged} />
            <button
              type="button"
              className="secondary small"
              disabled={remove.busy}
              onClick={() => remove.submit(() => del(`/api/memberships/${m.id}`).then(props.onChanged))}
            >
              Remove<span className="sr-only"> {ROLE_LABELS[m.role]} membership ({where(m)})</span>
            </button>
          </li>
        ))}
      </ul>
      <ErrorAlert error={remove.error} />
      <form onSubmit={addMembership} aria-label="Add membership" className="subform">
        <h3>Add a membership</h3>
        <MembershipFields
          missions={props.missions}
          facilities={props.facilities}
          value={extra}
          onChange={setExtra}
          problems={member.problems}
          allowSystemAdmin={props.allowSystemAdmin}
        />
        <ErrorAlert error={member.error} shown={MEMBERSHIP_FIELDS} />
        <button type="submit" disabled={member.busy}>Add membership</button>
      </form>
      <form onSubmit={saveDetails} aria-label="User details" className="subform">
        <h3>Details</h3>
        <Field label="Display name" problems={details.problems('displayName')}>
          {(id, d) => <input id={id} aria-describedby={d} required value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
        </Field>
        <SpecialtyPicker legend="Specialty codes" value={specialties} onChange={setSpecialties} problems={details.problems('specialties')} />
        <ErrorAlert error={details.error} shown={['displayName', 'specialties']} />
        <button type="submit" disabled={details.busy}>Save details</button>
      </form>
    </section>
  );
}

export function UsersPage() {
  const { user: me } = useAuth();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [missionId, setMissionId] = useState('');
  const users = useApi<UserView[]>(`/api/users${query({ missionId, q: search })}`);
  const missions = useApi<MissionView[]>('/api/missions');
  const facilities = useApi<FacilityView[]>('/api/facilities');
  const [selected, setSelected] = useState<string | null>(null);
  const create = useSubmit();
  const toggle = useSubmit();
  const active = usePending();
  const [draft, setDraft] = useState({ email: '', displayName: '', password: '', specialties: [] as string[] });
  const [draftMembership, setDraftMembership] = useState<MembershipDraft>(blankMembership);
  const sys = !!me && isSystemAdmin(me);
  const current = users.data?.find((u) => u.id === selected) ?? null;

  // Search as one types, but ask the server only once typing pauses (slow links).
  useEffect(() => {
    const t = setTimeout(() => setSearch(q.trim()), 350);
    return () => clearTimeout(t);
  }, [q]);

  async function submitUser(e: FormEvent) {
    e.preventDefault();
    const membership = membershipBody(draftMembership);
    const body = {
      email: draft.email.trim(),
      displayName: draft.displayName.trim(),
      password: draft.password,
      ...(draft.specialties.length ? { specialties: draft.specialties } : {}),
      ...(membership ? { membership } : {}),
    };
    const ok = await create.submit(async () => {
      const created = await post<UserView>('/api/users', body);
      setSelected(created.id);
    });
    if (ok) {
      setDraft({ email: '', displayName: '', password: '', specialties: [] });
      setDraftMembership(blankMembership);
      users.reload();
    }
  }

  // Membership problems arrive as `membership.role` (validation) or `facilityId` (checks against the data).
  const createProblems = (f: string) =>
    MEMBERSHIP_FIELDS.includes(f) ? [...create.problems(`membership.${f}`), ...create.problems(f)] : create.problems(f);

  return (
    <main className="page wide" data-testid="admin-users">
      <h1>Users</h1>
      <div className="filters" role="search" aria-label="Find users">
        <Field label="Search">
          {(id) => <input id={id} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="name or email" />}
        </Field>
        <MissionFilter missions={missions.data} value={missionId} onChange={setMissionId} />
      </div>
      {users.error && <div role="alert" className="alert">{users.error}</div>}
      <ErrorAlert error={toggle.error} />
      <div className={current ? 'split' : ''}>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Roles</th>
                <th>MFA</th>
                <th>Active</th>
              </tr>
            </thead>
            <tbody>
              {users.data?.length === 0 && (
                <tr>
                  <td colSpan={5} className="muted">No user matches.</td>
                </tr>
              )}
              {users.data?.map((u) => (
                <tr key={u.id} className={[u.id === selected ? 'selected' : '', u.active ? '' : 'inactive'].join(' ').trim()}>
                  <td>
                    <button type="button" className="linklike" onClick={() => setSelected(u.id)}>
                      {u.displayName}
                    </button>
                  </td>
                  <td>{u.email}</td>
                  <td>{[...new Set(u.memberships.map((m) => ROLE_LABELS[m.role]))].join(', ') || <span className="muted">none</span>}</td>
                  <td>{u.mfaEnabled ? 'on' : 'off'}</td>
                  <td>
                    <label className="switch">
                      <input
                        type="checkbox"
                        aria-label={`Active: ${u.email}`}
                        checked={active.value(u.id, u.active)}
                        disabled={u.id === me?.id}
                        onChange={(e) => {
                          const next = e.target.checked;
                          void active.run(u.id, next, () => toggle.submit(() => patch(`/api/users/${u.id}`, { active: next }).then(users.reload)));
                        }}
                      />
                      <span>{active.value(u.id, u.active) ? 'active' : 'off'}</span>
                    </label>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {current && (
          <UserPanel
            key={current.id}
            user={current}
            missions={missions.data ?? []}
            facilities={facilities.data ?? []}
            allowSystemAdmin={sys}
            onChanged={users.reload}
            onClose={() => setSelected(null)}
          />
        )}
      </div>
      <form onSubmit={submitUser} className="card inline-form" aria-label="New user">
        <h2>New user</h2>
        <Field label="Email" problems={create.problems('email')}>
          {(id, d) => <input id={id} type="email" autoComplete="off" aria-describedby={d} value={draft.email} onChange={(e) => setDraft({ ...draft, email: e.target.value })} />}
        </Field>
        <Field label="Full name" problems={create.problems('displayName')}>
          {(id, d) => <input id={id} aria-describedby={d} value={draft.displayName} onChange={(e) => setDraft({ ...draft, displayName: e.target.value })} />}
        </Field>
        <Field label="Initial password" problems={create.problems('password')}>
          {(id, d) => <input id={id} type="password" autoComplete="new-password" aria-describedby={d} value={draft.password} onChange={(e) => setDraft({ ...draft, password: e.target.value })} />}
        </Field>
        <p className="muted hint">At least 12 characters. Give it to the user through a separate channel.</p>
        <MembershipFields
          missions={missions.data ?? []}
          facilities={facilities.data ?? []}
          value={draftMembership}
          onChange={setDraftMembership}
          problems={createProblems}
          allowSystemAdmin={sys}
          allowNone={sys}
        />
        {createProblems('membership').length > 0 && <div className="field-error">{createProblems('membership').join('; ')}</div>}
        {(draftMembership.role === Role.ReferenceDoctor || draft.specialties.length > 0) && (
          <SpecialtyPicker legend="Specialties" value={draft.specialties} onChange={(specialties) => setDraft({ ...draft, specialties })} problems={create.problems('specialties')} />
        )}
        <ErrorAlert
          error={create.error}
          shown={['email', 'displayName', 'password', 'specialties', 'membership', ...MEMBERSHIP_FIELDS, ...MEMBERSHIP_FIELDS.map((f) => `membership.${f}`)]}
        />
        <button type="submit" disabled={create.busy}>Create user</button>
      </form>
    </main>
  );
}

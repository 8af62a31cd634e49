import { FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { FacilityView, MissionView, Role, UserView } from '@hub/contracts';
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
import { usePageTitle } from '../components/usePageTitle';
import { roleName } from '../i18n/words';

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
  const { t } = useTranslation();
  const needsFacility = value.role !== '' && FACILITY_ROLES.includes(value.role);
  const scoped = value.role !== '' && value.role !== Role.SystemAdmin;
  const facilities = props.facilities.filter((f) => f.active && (!value.missionId || f.missionIds.includes(value.missionId)));
  return (
    <>
      <Field label={t('admin.users.role')} problems={problems('role')}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={value.role} onChange={(e) => onChange({ ...value, role: e.target.value as Role | '' })}>
            {props.allowNone && <option value="">{t('admin.users.noRole')}</option>}
            {Object.values(Role)
              .filter((r) => props.allowSystemAdmin || r !== Role.SystemAdmin)
              .map((r) => (
                <option key={r} value={r}>{roleName(t, r)}</option>
              ))}
          </select>
        )}
      </Field>
      {scoped && (
        <Field label={t('admin.users.mission')} problems={problems('missionId')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={value.missionId} onChange={(e) => onChange({ ...value, missionId: e.target.value, facilityId: '' })}>
              <option value="">{needsFacility ? t('admin.users.fromFacility') : t('common.choose')}</option>
              {props.missions.filter((m) => m.active).map((m) => (
                <option key={m.id} value={m.id}>{m.code}</option>
              ))}
            </select>
          )}
        </Field>
      )}
      {scoped && (
        <Field label={t('admin.users.facility')} problems={problems('facilityId')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={value.facilityId} onChange={(e) => onChange({ ...value, facilityId: e.target.value })}>
              <option value="">{needsFacility ? t('common.choose') : t('admin.users.noFacility')}</option>
              {facilities.map((f) => (
                <option key={f.id} value={f.id}>{/level|niveau/i.test(f.name) ? f.name : t('admin.users.facilityLevel', { name: f.name, level: f.level })}</option>
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

const where = (t: TFunction, m: UserView['memberships'][number]) => [m.facilityName, m.missionCode].filter(Boolean).join(', ') || t('admin.users.allMissions');

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
  const { t } = useTranslation();
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
    <section className="card" aria-label={t('admin.users.membershipsOf', { name: user.displayName })} data-testid="user-panel">
      <div className="panel-head">
        <h2>{user.displayName}</h2>
        <button type="button" className="secondary small" onClick={props.onClose}>
          {t('common.close')}<span className="sr-only"> {t('admin.users.panel')}</span>
        </button>
      </div>
      <p className="muted">
        {user.email} · {user.mfaEnabled ? t('admin.users.mfaOn') : t('admin.users.mfaOff')} · {user.active ? t('admin.users.active') : t('admin.users.deactivated')}
      </p>
      <h3>{t('admin.users.memberships')}</h3>
      {user.memberships.length === 0 && <p className="muted">{t('admin.users.noMembership')}</p>}
      <ul className="memberships">
        {user.memberships.map((m) => (
          <li key={m.id}>
            <span className="badge outline">{roleName(t, m.role)}</span> {where(t, m)}
            <RotationEnd m={m} onChanged={props.onChanged} />
            <button
              type="button"
              className="secondary small"
              disabled={remove.busy}
              onClick={() => remove.submit(() => del(`/api/memberships/${m.id}`).then(props.onChanged))}
            >
              {t('admin.users.remove')}<span className="sr-only"> {t('admin.users.removeWhat', { role: roleName(t, m.role), where: where(t, m) })}</span>
            </button>
          </li>
        ))}
      </ul>
      <ErrorAlert error={remove.error} />
      <form onSubmit={addMembership} aria-label={t('admin.users.addMembership')} className="subform">
        <h3>{t('admin.users.addAMembership')}</h3>
        <MembershipFields
          missions={props.missions}
          facilities={props.facilities}
          value={extra}
          onChange={setExtra}
          problems={member.problems}
          allowSystemAdmin={props.allowSystemAdmin}
        />
        <ErrorAlert error={member.error} shown={MEMBERSHIP_FIELDS} />
        <button type="submit" disabled={member.busy}>{t('admin.users.addMembership')}</button>
      </form>
      <form onSubmit={saveDetails} aria-label={t('admin.users.userDetails')} className="subform">
        <h3>{t('common.details')}</h3>
        <Field label={t('admin.users.displayName')} problems={details.problems('displayName')}>
          {(id, d) => <input id={id} aria-describedby={d} required value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
        </Field>
        <SpecialtyPicker legend={t('admin.users.specialtyCodes')} value={specialties} onChange={setSpecialties} problems={details.problems('specialties')} />
        <ErrorAlert error={details.error} shown={['displayName', 'specialties']} />
        <button type="submit" disabled={details.busy}>{t('admin.users.saveDetails')}</button>
      </form>
    </section>
  );
}

export function UsersPage() {
  const { user: me } = useAuth();
  const { t } = useTranslation();
  const heading = usePageTitle(t('admin.users.title'));
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
    const timer = setTimeout(() => setSearch(q.trim()), 350);
    return () => clearTimeout(timer);
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
      <h1 ref={heading} tabIndex={-1}>{t('admin.users.title')}</h1>
      <div className="filters" role="search" aria-label={t('admin.users.find')}>
        <Field label={t('admin.users.search')}>
          {(id) => <input id={id} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('admin.users.searchHint')} />}
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
                <th>{t('admin.users.name')}</th>
                <th>{t('admin.users.email')}</th>
                <th>{t('admin.users.roles')}</th>
                <th>{t('admin.users.mfa')}</th>
                <th>{t('admin.users.activeColumn')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data?.length === 0 && (
                <tr>
                  <td colSpan={5} className="muted">{t('admin.users.noMatch')}</td>
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
                  <td>{[...new Set(u.memberships.map((m) => roleName(t, m.role)))].join(', ') || <span className="muted">{t('common.none')}</span>}</td>
                  <td>{u.mfaEnabled ? t('admin.users.on') : t('admin.users.off')}</td>
                  <td>
                    <label className="switch">
                      <input
                        type="checkbox"
                        aria-label={t('admin.users.activeOf', { email: u.email })}
                        checked={active.value(u.id, u.active)}
                        disabled={u.id === me?.id}
                        onChange={(e) => {
                          const next = e.target.checked;
                          void active.run(u.id, next, () => toggle.submit(() => patch(`/api/users/${u.id}`, { active: next }).then(users.reload)));
                        }}
                      />
                      <span>{active.value(u.id, u.active) ? t('admin.users.active') : t('admin.users.switchOff')}</span>
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
      <form onSubmit={submitUser} className="card inline-form" aria-label={t('admin.users.newUser')}>
        <h2>{t('admin.users.newUser')}</h2>
        <Field label={t('admin.users.email')} problems={create.problems('email')}>
          {(id, d) => <input id={id} type="email" autoComplete="off" aria-describedby={d} value={draft.email} onChange={(e) => setDraft({ ...draft, email: e.target.value })} />}
        </Field>
        <Field label={t('admin.users.fullName')} problems={create.problems('displayName')}>
          {(id, d) => <input id={id} aria-describedby={d} value={draft.displayName} onChange={(e) => setDraft({ ...draft, displayName: e.target.value })} />}
        </Field>
        <Field label={t('admin.users.password')} problems={create.problems('password')}>
          {(id, d) => <input id={id} type="password" autoComplete="new-password" aria-describedby={d} value={draft.password} onChange={(e) => setDraft({ ...draft, password: e.target.value })} />}
        </Field>
        <p className="muted hint">{t('admin.users.passwordHint')}</p>
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
          <SpecialtyPicker legend={t('admin.users.specialties')} value={draft.specialties} onChange={(specialties) => setDraft({ ...draft, specialties })} problems={create.problems('specialties')} />
        )}
        <ErrorAlert
          error={create.error}
          shown={['email', 'displayName', 'password', 'specialties', 'membership', ...MEMBERSHIP_FIELDS, ...MEMBERSHIP_FIELDS.map((f) => `membership.${f}`)]}
        />
        <button type="submit" disabled={create.busy}>{t('admin.users.create')}</button>
      </form>
    </main>
  );
}

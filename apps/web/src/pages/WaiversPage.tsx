import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CertificationKind, UserView, WaiverView } from '@hub/contracts';
import { CERTIFICATION_KINDS, Role } from '@hub/contracts';
import { get, post, query } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { Field } from '../components/Field';
import { useSubmit } from '../components/useLoad';
import { useApi } from '../components/useApi';
import { usePageTitle } from '../components/usePageTitle';
import { certificationName } from '../i18n/words';
import { useAuth } from '../auth/AuthContext';
import { day, T } from '../training/api';

const inDays = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);

/** Administrators grant a time-limited waiver (with a reason, audited) to someone not yet certified. */
export function WaiversPage() {
  const { user } = useAuth();
  const isSys = user?.memberships.some((m) => m.role === Role.SystemAdmin) ?? false;
  const own = [...new Map((user?.memberships ?? []).filter((m) => m.role === Role.MissionAdmin && m.missionId).map((m) => [m.missionId!, m.missionCode ?? ''])).entries()];
  const all = useApi<{ id: string; code: string }[]>(isSys ? '/api/missions' : null);
  const missions = isSys ? (all.data ?? []).map((m) => [m.id, m.code] as [string, string]) : own;
  const [missionId, setMissionId] = useState('');
  const mission = missionId || missions[0]?.[0] || '';
  const waivers = useApi<WaiverView[]>(mission ? `${T}/waivers${query({ missionId: mission })}` : null);
  const users = useApi<UserView[]>(mission ? `/api/users${query({ missionId: mission })}` : null);
  const [v, setV] = useState({ userId: '', kind: 'telemedicine_user' as CertificationKind, expiresOn: inDays(30), reason: '' });
  const form = useSubmit();
  const revoke = useSubmit();
  const { t } = useTranslation();
  const heading = usePageTitle(t('training.waivers.title'));
  const grant = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async () => {
      await post(`${T}/waivers`, { userId: v.userId, missionId: mission, kind: v.kind, reason: v.reason, expiresAt: new Date(`${v.expiresOn}T23:59:00`).toISOString() });
      setV({ ...v, userId: '', reason: '' });
      await waivers.reload();
    });
  };
  return (
    <main className="page">
      <h1 ref={heading} tabIndex={-1}>{t('training.waivers.title')}</h1>
      <p className="muted">{t('training.waivers.intro')}</p>
      {missions.length > 1 && (
        <Field label={t('training.cohorts.mission')}>{(id) => <select id={id} value={mission} onChange={(e) => setMissionId(e.target.value)}>{missions.map(([mid, code]) => <option key={mid} value={mid}>{code}</option>)}</select>}</Field>
      )}
      {waivers.error && <div role="alert" className="alert">{waivers.error}</div>}
      <table>
        <thead><tr><th>{t('training.waivers.person')}</th><th>{t('training.columns.certification')}</th><th>{t('training.waivers.reason')}</th><th>{t('training.waivers.until')}</th><th>{t('training.columns.status')}</th><th></th></tr></thead>
        <tbody>
          {waivers.data?.map((w) => (
            <tr key={w.id}>
              <td>{w.userName}</td>
              <td>{certificationName(t, w.kind)}</td>
              <td>{w.reason}</td>
              <td>{day(w.expiresAt)}</td>
              <td><span className={`status ${w.active ? 'waived' : 'expired'}`}>{w.active ? t('training.waivers.active') : w.revokedAt ? t('training.waivers.revoked') : t('training.waivers.ended')}</span></td>
              <td>
                {w.active && (
                  <button type="button" className="secondary small" disabled={revoke.busy} onClick={() => { const reason = window.prompt(t('training.waivers.endPrompt')); if (reason) void revoke.submit(async () => { await post(`${T}/waivers/${w.id}/revoke`, { reason }); await waivers.reload(); }); }}>
                    {t('training.waivers.end')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorAlert error={revoke.error} />
      <form className="card inline-form" aria-label={t('training.waivers.grant')} onSubmit={grant}>
        <h2>{t('training.waivers.grant')}</h2>
        <Field label={t('training.waivers.person')} problems={form.problems('userId')}>
          {(id) => (
            <select id={id} value={v.userId} onChange={(e) => setV({ ...v, userId: e.target.value })}>
              <option value="">{t('common.choose')}</option>
              {users.data?.map((u) => <option key={u.id} value={u.id}>{u.displayName} ({u.email})</option>)}
            </select>
          )}
        </Field>
        <Field label={t('training.columns.certification')} problems={form.problems('kind')}>
          {(id) => <select id={id} value={v.kind} onChange={(e) => setV({ ...v, kind: e.target.value as CertificationKind })}>{CERTIFICATION_KINDS.map((k) => <option key={k} value={k}>{certificationName(t, k)}</option>)}</select>}
        </Field>
        <Field label={t('training.columns.validUntil')} problems={form.problems('expiresAt')}>{(id) => <input id={id} type="date" min={inDays(0)} max={inDays(90)} value={v.expiresOn} onChange={(e) => setV({ ...v, expiresOn: e.target.value })} />}</Field>
        <Field label={t('training.waivers.reason')} problems={form.problems('reason')}>{(id) => <textarea id={id} rows={2} value={v.reason} onChange={(e) => setV({ ...v, reason: e.target.value })} />}</Field>
        <ErrorAlert error={form.error} shown={['userId', 'kind', 'expiresAt', 'reason']} />
        <button type="submit" disabled={form.busy}>{t('training.waivers.grantSubmit')}</button>
      </form>
    </main>
  );
}

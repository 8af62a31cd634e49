import { useState } from 'react';
import { Link } from 'wouter';
import { useTranslation } from 'react-i18next';
import { MeResponse, Role } from '@hub/contracts';
import { useAuth } from '../auth/AuthContext';
import { RoleCertificationNotice } from '../components/CertificationGate';
import { usePageTitle } from '../components/usePageTitle';
import { DueChecks } from '../followup/DueChecks';

/** What each role comes to the hub for (catalogue keys under home.cards). */
const CARDS: Record<Role, { key: string; to: string }[]> = {
  [Role.FieldMedicalOfficer]: [
    { key: 'patients', to: '/patients' },
    { key: 'newCase', to: '/cases/new' },
    { key: 'myCases', to: '/cases' },
    { key: 'myTraining', to: '/training' },
    { key: 'myCertificates', to: '/training/certificates' },
  ],
  [Role.ReferenceDoctor]: [
    { key: 'queue', to: '/queue' },
    { key: 'acceptedCases', to: '/cases' },
    { key: 'consultantTraining', to: '/training' },
  ],
  [Role.HealthManager]: [
    { key: 'missionCases', to: '/cases' },
    { key: 'dashboard', to: '/dashboard' },
    { key: 'compliance', to: '/training/compliance' },
  ],
  [Role.Trainer]: [
    { key: 'courses', to: '/training/manage' },
    { key: 'cohorts', to: '/training/cohorts' },
    { key: 'resources', to: '/resources' },
  ],
  [Role.MissionAdmin]: [
    { key: 'facilities', to: '/admin/facilities' },
    { key: 'users', to: '/admin/users' },
    { key: 'missionSettings', to: '/admin/missions' },
    { key: 'waivers', to: '/training/waivers' },
  ],
  [Role.SystemAdmin]: [
    { key: 'missions', to: '/admin/missions' },
    { key: 'allDashboard', to: '/dashboard' },
    { key: 'allFacilities', to: '/admin/facilities' },
    { key: 'allUsers', to: '/admin/users' },
  ],
};

function where(user: MeResponse, role: Role, everywhere: string): string {
  return user.memberships
    .filter((m) => m.role === role)
    .map((m) => [m.facilityName, m.missionCode].filter(Boolean).join(', ') || everywhere)
    .join('; ');
}

export function HomePage() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const roles = user ? [...new Set(user.memberships.map((m) => m.role))] : [];
  const [active, setActive] = useState<Role | undefined>(roles[0]);
  const role = active && roles.includes(active) ? active : roles[0];
  const heading = usePageTitle(role ? t(`roles.${role}`) : t('home.title'));
  if (!user) return null;
  if (!roles.length) {
    return (
      <main className="page">
        <h1 ref={heading} tabIndex={-1}>{t('home.welcomeTitle', { name: user.displayName })}</h1>
        <p>{t('home.noRole')}</p>
      </main>
    );
  }
  return (
    <main className="page" data-testid={`home-${role}`}>
      {roles.length > 1 && (
        <div className="tabs" role="tablist">
          {roles.map((r) => (
            <button key={r} role="tab" aria-selected={r === role} className={r === role ? 'tab active' : 'tab'} onClick={() => setActive(r)}>
              {t(`roles.${r}`)}
            </button>
          ))}
        </div>
      )}
      <h1 ref={heading} tabIndex={-1}>{t(`roles.${role}`)}</h1>
      <p>
        {t('home.welcome', { name: user.displayName })} <span className="muted">{where(user, role, t('home.allMissions'))}</span>
      </p>
      <RoleCertificationNotice role={role} />
      <div className="cards">
        {CARDS[role].map((c) => (
          <Link key={c.key} to={c.to} className="card link-card">
            <h2>{t(`home.cards.${c.key}.title`)}</h2>
            <p>{t(`home.cards.${c.key}.text`)}</p>
          </Link>
        ))}
      </div>
      {role === Role.FieldMedicalOfficer && (
        <>
          <DueChecks />
          <p><Link to="/rotation/hand-over">{t('rotations.handOverTitle')}</Link></p>
        </>
      )}
      {(role === Role.MissionAdmin || role === Role.SystemAdmin) && (
        <p><Link to="/admin/rotations/import">{t('rotations.importTitle')}</Link></p>
      )}
    </main>
  );
}

import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { NavLink, useNavigate } from '../routing';
import { Role } from '@hub/contracts';
import { useAuth } from '../auth/AuthContext';
import { LanguageSwitch } from '../i18n/LanguageSwitch';
import { isAdmin } from '../roles';
import { NotificationBell } from './NotificationBell';

export function TopBar() {
  const { t } = useTranslation();
  const { user, logout, mfaEnrolmentRequired } = useAuth();
  const navigate = useNavigate();
  if (!user) return null;
  const missions = [...new Set(user.memberships.map((m) => m.missionCode).filter(Boolean))];
  const roles = [...new Set(user.memberships.map((m) => m.role))];
  const has = (...wanted: Role[]) => roles.some((r) => wanted.includes(r));
  const officer = has(Role.FieldMedicalOfficer);
  const doctor = has(Role.ReferenceDoctor);
  const manager = has(Role.HealthManager);
  const psychologist = doctor && user.specialties.includes('mental_health');
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        {t('app.name')}
      </Link>
      {/* Until an administrator has enrolled an authenticator, the session only reaches the enrolment page. */}
      {!mfaEnrolmentRequired && (
        <nav aria-label={t('nav.main')}>
          {/* The daily work of each role first: what the walkthrough asked the top bar to carry. */}
          {officer && <NavLink to="/patients">{t('nav.patients')}</NavLink>}
          {officer && <NavLink to="/cases/new">{t('nav.newCase')}</NavLink>}
          {(officer || doctor) && <NavLink to="/cases" end>{t('nav.myCases')}</NavLink>}
          {!officer && !doctor && manager && <NavLink to="/cases" end>{t('nav.missionCases')}</NavLink>}
          {doctor && <NavLink to="/queue">{t('nav.queue')}</NavLink>}
          {officer && <NavLink to="/mental-health/book">{t('nav.mentalHealth')}</NavLink>}
          {psychologist && <NavLink to="/mental-health/slots">{t('nav.mySlots')}</NavLink>}
          {has(Role.HealthManager, Role.SystemAdmin) && <NavLink to="/dashboard">{t('nav.dashboard')}</NavLink>}
          {manager && <NavLink to="/break-glass">{t('nav.emergencyAccess')}</NavLink>}
          {isAdmin(user) && (
            <>
              <NavLink to="/admin/missions">{t('nav.missions')}</NavLink>
              <NavLink to="/admin/facilities">{t('nav.facilities')}</NavLink>
              <NavLink to="/admin/users">{t('nav.users')}</NavLink>
            </>
          )}
          <NavLink to="/training" end>{t('nav.training')}</NavLink>
          <NavLink to="/resources">{t('nav.resources')}</NavLink>
          {has(Role.Trainer) && <NavLink to="/training/cohorts">{t('nav.cohorts')}</NavLink>}
          {has(Role.HealthManager, Role.MissionAdmin, Role.SystemAdmin) && (
            <NavLink to="/training/compliance">{t('nav.compliance')}</NavLink>
          )}
          {isAdmin(user) && <NavLink to="/training/waivers">{t('nav.waivers')}</NavLink>}
          <NavLink to="/mfa-setup">{t('nav.security')}</NavLink>
          <NotificationBell />
        </nav>
      )}
      <div className="who">
        <span data-testid="user-name">{user.displayName}</span>
        {roles.map((r) => (
          <span key={r} className="badge" data-testid="role-badge">
            {t(`roles.${r}`)}
          </span>
        ))}
        {missions.length > 0 && (
          <span className="missions" data-testid="mission-codes">
            {missions.join(' · ')}
          </span>
        )}
        <LanguageSwitch />
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            await logout();
            navigate('/login', { replace: true });
          }}
        >
          {t('nav.logout')}
        </button>
      </div>
    </header>
  );
}

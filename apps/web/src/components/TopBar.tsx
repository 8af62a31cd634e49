import { Link, NavLink, useNavigate } from 'react-router-dom';
import { Role, ROLE_LABELS } from '@hub/contracts';
import { useAuth } from '../auth/AuthContext';
import { isAdmin } from '../roles';
import { NotificationBell } from './NotificationBell';

export function TopBar() {
  const { user, logout, mfaEnrolmentRequired } = useAuth();
  const navigate = useNavigate();
  if (!user) return null;
  const missions = [...new Set(user.memberships.map((m) => m.missionCode).filter(Boolean))];
  const roles = [...new Set(user.memberships.map((m) => m.role))];
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        Field Telemedicine Hub
      </Link>
      {/* Until an administrator has enrolled an authenticator, the session only reaches the enrolment page. */}
      {!mfaEnrolmentRequired && (
        <nav aria-label="Main">
          {isAdmin(user) && (
            <>
              <NavLink to="/admin/missions">Missions</NavLink>
              <NavLink to="/admin/facilities">Facilities</NavLink>
              <NavLink to="/admin/users">Users</NavLink>
            </>
          )}
          <NavLink to="/training" end>Training</NavLink>
          <NavLink to="/resources">Resources</NavLink>
          {user.memberships.some((m) => m.role === Role.Trainer) && <NavLink to="/training/cohorts">Cohorts</NavLink>}
          {user.memberships.some((m) => m.role === Role.HealthManager || m.role === Role.MissionAdmin || m.role === Role.SystemAdmin) && (
            <NavLink to="/training/compliance">Compliance</NavLink>
          )}
          {isAdmin(user) && <NavLink to="/training/waivers">Waivers</NavLink>}
          <NavLink to="/mfa-setup">Security</NavLink>
          <NotificationBell />
        </nav>
      )}
      <div className="who">
        <span data-testid="user-name">{user.displayName}</span>
        {roles.map((r) => (
          <span key={r} className="badge" data-testid="role-badge">
            {ROLE_LABELS[r]}
          </span>
        ))}
        {missions.length > 0 && (
          <span className="missions" data-testid="mission-codes">
            {missions.join(' · ')}
          </span>
        )}
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            await logout();
            navigate('/login', { replace: true });
          }}
        >
          Log out
        </button>
      </div>
    </header>
  );
}

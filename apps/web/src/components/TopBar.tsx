import { Link, useNavigate } from 'react-router-dom';
import { ROLE_LABELS } from '@hub/contracts';
import { useAuth } from '../auth/AuthContext';
import { isAdmin } from '../roles';
import { disconnectNotifications } from '../api/socket';
import { NotificationBell } from './NotificationBell';

export function TopBar() {
  const { user, logout } = useAuth();
  const navigate = useNavigate();
  if (!user) return null;
  const missions = [...new Set(user.memberships.map((m) => m.missionCode).filter(Boolean))];
  const roles = [...new Set(user.memberships.map((m) => m.role))];
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        Field Telemedicine Hub
      </Link>
      <nav>
        {isAdmin(user) && (
          <>
            <Link to="/admin/missions">Missions</Link>
            <Link to="/admin/facilities">Facilities</Link>
            <Link to="/admin/users">Users</Link>
          </>
        )}
        <Link to="/mfa-setup">Security</Link>
        <NotificationBell />
      </nav>
      <div className="who">
        <span data-testid="user-name">{user.displayName}</span>
        {roles.map((r) => (
          <span key={r} className="badge">
            {ROLE_LABELS[r]}
          </span>
        ))}
        {missions.length > 0 && <span className="missions">{missions.join(' · ')}</span>}
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            disconnectNotifications();
            await logout();
            navigate('/login');
          }}
        >
          Log out
        </button>
      </div>
    </header>
  );
}

import { useState } from 'react';
import { Link } from 'react-router-dom';
import { MeResponse, Role, ROLE_LABELS } from '@hub/contracts';
import { useAuth } from '../auth/AuthContext';
import { RoleCertificationNotice } from '../components/CertificationGate';

interface CardSpec {
  title: string;
  text: string;
  to?: string;
}

/** What each role comes to the hub for. Cards without a link are features still being built. */
const CARDS: Record<Role, CardSpec[]> = {
  [Role.FieldMedicalOfficer]: [
    { title: 'My patients', text: 'Register deployed personnel and follow them across facilities.', to: '/patients' },
    { title: 'New teleconsultation case', text: 'Vitals, history, photos and your question to a specialist.', to: '/cases/new' },
    { title: 'My cases', text: 'Answers, requests for information and outcomes.', to: '/cases' },
    { title: 'My training', text: 'Courses, quizzes and what you still need to be certified.', to: '/training' },
    { title: 'My certificates', text: 'Status, expiry, PDF and verification code.', to: '/training/certificates' },
  ],
  [Role.ReferenceDoctor]: [
    { title: 'My queue', text: 'Cases in your specialties, by urgency and deadline.', to: '/queue' },
    { title: 'My cases', text: 'Cases you accepted: answers, requests for information, outcomes.', to: '/cases' },
    { title: 'Live consultations', text: 'Video, audio and chat with field clinics.' },
    { title: 'My training', text: 'The telemedicine consultant course and your certificates.', to: '/training' },
  ],
  [Role.HealthManager]: [
    { title: 'Mission cases', text: 'Every case of your mission, newest first.', to: '/cases' },
    { title: 'Caseload dashboard', text: 'Response times, SLA breaches, outcomes and evacuations.', to: '/dashboard' },
    { title: 'Training compliance', text: 'Who is certified, expiring or expired.', to: '/training/compliance' },
  ],
  [Role.Trainer]: [
    { title: 'Courses', text: 'Lessons, assessments and practical sign-off.', to: '/training/manage' },
    { title: 'Cohorts', text: 'Incoming rotations, their progress and practical sign-off.', to: '/training/cohorts' },
    { title: 'Resource centre', text: 'Guides, SOPs and quick-reference cards.', to: '/resources' },
  ],
  [Role.MissionAdmin]: [
    { title: 'Facilities', text: 'Clinics and hospitals of your mission.', to: '/admin/facilities' },
    { title: 'Users and roles', text: 'Accounts, memberships, deactivation.', to: '/admin/users' },
    { title: 'Mission settings', text: 'Name and multi-factor policy.', to: '/admin/missions' },
    { title: 'Certification waivers', text: 'Time-limited waivers, with a reason.', to: '/training/waivers' },
  ],
  [Role.SystemAdmin]: [
    { title: 'Missions', text: 'All field missions served by the hub.', to: '/admin/missions' },
    { title: 'Caseload dashboard', text: 'Every mission’s caseload and response times.', to: '/dashboard' },
    { title: 'Facilities', text: 'Every clinic and hospital, including Level 4.', to: '/admin/facilities' },
    { title: 'Users and roles', text: 'Every account and membership.', to: '/admin/users' },
  ],
};

function where(user: MeResponse, role: Role): string {
  return user.memberships
    .filter((m) => m.role === role)
    .map((m) => [m.facilityName, m.missionCode].filter(Boolean).join(', ') || 'all missions')
    .join('; ');
}

export function HomePage() {
  const { user } = useAuth();
  const roles = user ? [...new Set(user.memberships.map((m) => m.role))] : [];
  const [active, setActive] = useState<Role | undefined>(roles[0]);
  if (!user) return null;
  if (!roles.length) {
    return (
      <main className="page">
        <h1>Welcome, {user.displayName}</h1>
        <p>Your account has no role yet. Ask your mission administrator to give you one.</p>
      </main>
    );
  }
  const role = active && roles.includes(active) ? active : roles[0];
  return (
    <main className="page" data-testid={`home-${role}`}>
      {roles.length > 1 && (
        <div className="tabs" role="tablist">
          {roles.map((r) => (
            <button key={r} role="tab" aria-selected={r === role} className={r === role ? 'tab active' : 'tab'} onClick={() => setActive(r)}>
              {ROLE_LABELS[r]}
            </button>
          ))}
        </div>
      )}
      <h1>{ROLE_LABELS[role]}</h1>
      <p>
        Welcome, {user.displayName}. <span className="muted">{where(user, role)}</span>
      </p>
      <RoleCertificationNotice role={role} />
      <div className="cards">
        {CARDS[role].map((c) =>
          c.to ? (
            <Link key={c.title} to={c.to} className="card link-card">
              <h2>{c.title}</h2>
              <p>{c.text}</p>
            </Link>
          ) : (
            <div key={c.title} className="card disabled" aria-disabled="true">
              <h2>{c.title}</h2>
              <p>{c.text}</p>
              <span className="soon">coming soon</span>
            </div>
          ),
        )}
      </div>
    </main>
  );
}

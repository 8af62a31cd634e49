import { lazy, ReactElement, StrictMode, Suspense, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { AuthProvider, useAuth } from './auth/AuthContext';
import { TopBar } from './components/TopBar';
import { LoginPage } from './pages/LoginPage';
import { RouteErrorBoundary } from './offline/RouteErrorBoundary';
import { registerServiceWorker } from './offline/service-worker';
import { isAdmin } from './roles';
import { afterFirstScreen, firstScreenShown, useAfterFirstScreen } from './components/first-screen';
import { i18nReady, screenWords } from './i18n';

import './styles.css';

/**
 * A screen after the first (sign-in and home): its code and the other screens' words (i18n `screenWords`) are
 * fetched together, so it never shows a key in place of a word.
 */
const screen = <T,>(load: () => Promise<T>) => () => Promise.all([load(), screenWords()]).then(([m]) => m);

// Only the sign-in page ships with the entry; every other screen is its own chunk, fetched when first opened (the
// field screens are precached by the service worker once the first page has loaded: vite.config.ts SHELL_SCREENS).
// The outbox (IndexedDB, tus) is needed only once signed in.
const OutboxPanel = lazy(screen(() => import('./offline/OutboxPanel').then((m) => ({ default: m.OutboxPanel }))));
// On a field node: the node's sync with the hub (nothing shows on the hub, whose status route does not exist).
const SyncBar = lazy(screen(() => import('./sync/SyncBar').then((m) => ({ default: m.SyncBar }))));
const SyncPage = lazy(screen(() => import('./sync/SyncPage').then((m) => ({ default: m.SyncPage }))));
const HomePage = lazy(() => import('./pages/HomePage').then((m) => ({ default: m.HomePage })));
const MfaSetupPage = lazy(screen(() => import('./pages/MfaSetupPage').then((m) => ({ default: m.MfaSetupPage }))));
const MissionsPage = lazy(screen(() => import('./pages/MissionsPage').then((m) => ({ default: m.MissionsPage }))));
const FacilitiesPage = lazy(screen(() => import('./pages/FacilitiesPage').then((m) => ({ default: m.FacilitiesPage }))));
const UsersPage = lazy(screen(() => import('./pages/UsersPage').then((m) => ({ default: m.UsersPage }))));
const PatientsPage = lazy(screen(() => import('./pages/PatientsPage').then((m) => ({ default: m.PatientsPage }))));
const CasesPage = lazy(screen(() => import('./pages/CasesPage').then((m) => ({ default: m.CasesPage }))));
const CasePage = lazy(screen(() => import('./pages/CasePage').then((m) => ({ default: m.CasePage }))));
const BreakGlassReviewPage = lazy(screen(() => import('./break-glass/BreakGlassReviewPage').then((m) => ({ default: m.BreakGlassReviewPage }))));
const NewCasePage = lazy(screen(() => import('./pages/NewCasePage').then((m) => ({ default: m.NewCasePage }))));
const NotificationsPage = lazy(screen(() => import('./pages/NotificationsPage').then((m) => ({ default: m.NotificationsPage }))));
const HandOverPage = lazy(screen(() => import('./rotations/HandOverPage').then((m) => ({ default: m.HandOverPage }))));
const RotationImportPage = lazy(screen(() => import('./rotations/RotationImportPage').then((m) => ({ default: m.RotationImportPage }))));

// The call screens carry mediasoup-client: load them only when a call is opened.
const PreCallPage = lazy(screen(() => import('./call/PreCallPage').then((m) => ({ default: m.PreCallPage }))));
const CallPage = lazy(screen(() => import('./call/CallPage').then((m) => ({ default: m.CallPage }))));

// Mental-health sessions: the psychologist's slots and the officer's booking screen.
const SlotsPage = lazy(screen(() => import('./mental-health/SlotsPage').then((m) => ({ default: m.SlotsPage }))));
const BookingPage = lazy(screen(() => import('./mental-health/BookingPage').then((m) => ({ default: m.BookingPage }))));

// The charts library is large: load it only for the dashboard, so a clinic on a slow link never downloads it.
const DashboardPage = lazy(screen(() => import('./pages/DashboardPage').then((m) => ({ default: m.DashboardPage }))));
const CompliancePage = lazy(screen(() => import('./pages/CompliancePage').then((m) => ({ default: m.CompliancePage }))));
// Training screens (with the markdown renderer) load on first use; one chunk for all of them.
const training = <K extends keyof typeof import('./training/pages')>(name: K) =>
  lazy(screen(() => import('./training/pages').then((m) => ({ default: m[name] as () => ReactElement }))));
const MyTrainingPage = training('MyTrainingPage');
const CoursePage = training('CoursePage');
const QuizPage = training('QuizPage');
const MyCertificatesPage = training('MyCertificatesPage');
const CoursesManagePage = training('CoursesManagePage');
const CourseEditorPage = training('CourseEditorPage');
const CohortsPage = training('CohortsPage');
const CohortPage = training('CohortPage');
const LearnerPage = training('LearnerPage');
const WaiversPage = training('WaiversPage');
const ResourcesPage = training('ResourcesPage');
const ResourcePage = training('ResourcePage');
const VerifyPage = training('VerifyPage');
function LoadingText({ dashboard = false }: { dashboard?: boolean }) {
  const { t } = useTranslation();
  return <p className="page muted">{t(dashboard ? 'app.loadingDashboard' : 'app.loading')}</p>;
}
const Loading = ({ children }: { children: ReactElement }) => <Suspense fallback={<LoadingText />}>{children}</Suspense>;

function Protected({ children, admin = false }: { children: ReactElement; admin?: boolean }) {
  const { user, loading, mfaEnrolmentRequired } = useAuth();
  const shown = !loading && !!user && !mfaEnrolmentRequired && (!admin || isAdmin(user));
  // Committed only once the screen inside has its code (the lazy screen suspends the whole route until then).
  useEffect(() => {
    if (shown) firstScreenShown();
  }, [shown]);
  if (loading) return <LoadingText />;
  if (!user) return <Navigate to="/login" replace />;
  if (mfaEnrolmentRequired) return <Navigate to="/mfa-setup" replace />;
  if (admin && !isAdmin(user)) return <Navigate to="/" replace />;
  return children;
}

function Shell() {
  const { user, loading } = useAuth();
  // The outbox panel (IndexedDB, tus) waits until the first screen has arrived: it must not slow it on a slow link.
  const later = useAfterFirstScreen();
  return (
    <>
      {user && <TopBar />}
      {user && later && <Suspense fallback={null}><SyncBar /></Suspense>}
      {user && later && <Suspense fallback={null}><OutboxPanel /></Suspense>}
      {/* A screen whose code cannot be fetched (offline, not yet cached) says so here; the top bar stays. */}
      <RouteErrorBoundary>
      <Suspense fallback={<LoadingText />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/mfa-setup" element={loading ? null : user ? <MfaSetupPage /> : <Navigate to="/login" replace />} />
        <Route path="/" element={<Protected><HomePage /></Protected>} />
        <Route path="/admin/missions" element={<Protected admin><MissionsPage /></Protected>} />
        <Route path="/admin/facilities" element={<Protected admin><FacilitiesPage /></Protected>} />
        <Route path="/admin/users" element={<Protected admin><UsersPage /></Protected>} />
        <Route path="/patients" element={<Protected><PatientsPage /></Protected>} />
        <Route path="/cases" element={<Protected><CasesPage view="mine" /></Protected>} />
        <Route path="/queue" element={<Protected><CasesPage view="queue" /></Protected>} />
        <Route path="/cases/new" element={<Protected><NewCasePage /></Protected>} />
        <Route path="/cases/:id" element={<Protected><CasePage /></Protected>} />
        <Route path="/break-glass" element={<Protected><BreakGlassReviewPage /></Protected>} />
        <Route path="/dashboard" element={<Protected><Suspense fallback={<LoadingText dashboard />}><DashboardPage /></Suspense></Protected>} />
        <Route path="/mental-health/slots" element={<Protected><SlotsPage /></Protected>} />
        <Route path="/mental-health/book" element={<Protected><BookingPage /></Protected>} />
        <Route path="/notifications" element={<Protected><NotificationsPage /></Protected>} />
        <Route path="/sync" element={<Protected><SyncPage /></Protected>} />
        <Route path="/rotation/hand-over" element={<Protected><HandOverPage /></Protected>} />
        <Route path="/admin/rotations/import" element={<Protected admin><RotationImportPage /></Protected>} />
        <Route path="/training" element={<Loading><Protected><MyTrainingPage /></Protected></Loading>} />
        <Route path="/training/courses/:id" element={<Loading><Protected><CoursePage /></Protected></Loading>} />
        <Route path="/training/courses/:id/lessons/:lessonId" element={<Loading><Protected><CoursePage /></Protected></Loading>} />
        <Route path="/training/courses/:id/quiz" element={<Loading><Protected><QuizPage /></Protected></Loading>} />
        <Route path="/training/courses/:courseId/learners/:userId" element={<Loading><Protected><LearnerPage /></Protected></Loading>} />
        <Route path="/training/certificates" element={<Loading><Protected><MyCertificatesPage /></Protected></Loading>} />
        <Route path="/training/manage" element={<Loading><Protected><CoursesManagePage /></Protected></Loading>} />
        <Route path="/training/manage/:id" element={<Loading><Protected><CourseEditorPage /></Protected></Loading>} />
        <Route path="/training/cohorts" element={<Loading><Protected><CohortsPage /></Protected></Loading>} />
        <Route path="/training/cohorts/:id" element={<Loading><Protected><CohortPage /></Protected></Loading>} />
        <Route path="/training/compliance" element={<Protected><Suspense fallback={<LoadingText />}><CompliancePage /></Suspense></Protected>} />
        <Route path="/training/waivers" element={<Loading><Protected admin><WaiversPage /></Protected></Loading>} />
        <Route path="/resources" element={<Loading><Protected><ResourcesPage /></Protected></Loading>} />
        <Route path="/resources/:id" element={<Loading><Protected><ResourcePage /></Protected></Loading>} />
        <Route path="/verify" element={<Loading><VerifyPage /></Loading>} />
        <Route path="/verify/:code" element={<Loading><VerifyPage /></Loading>} />
        <Route path="/consultations/:id/check" element={<Protected><Suspense fallback={<LoadingText />}><PreCallPage /></Suspense></Protected>} />
        <Route path="/consultations/:id" element={<Protected><Suspense fallback={<LoadingText />}><CallPage /></Suspense></Protected>} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
      </Suspense>
      </RouteErrorBoundary>
    </>
  );
}

// The app replaces index.html's plain sign-in form once the reader's catalogue is in (preloaded beside the entry), so
// the form is never swapped for a blank "loading" state while the reader types.
void i18nReady.finally(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Suspense fallback={<p className="page muted">…</p>}>
        <BrowserRouter>
          <AuthProvider>
            <Shell />
          </AuthProvider>
        </BrowserRouter>
      </Suspense>
    </StrictMode>,
  ),
);

// The service worker's precache starts after the first signed-in screen has arrived (or after a while on the sign-in
// page), never while that screen still loads.
let registered = false;
const register = () => {
  if (!registered) registerServiceWorker();
  registered = true;
};
afterFirstScreen(register);
// The other screens' words follow the first screen at once (normally in before anyone opens another screen).
afterFirstScreen(() => void screenWords().catch(() => undefined));
setTimeout(register, 15_000);

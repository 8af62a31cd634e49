import { ComponentType, lazy, ReactElement, StrictMode, Suspense, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { useTranslation } from 'react-i18next';
import { Redirect, Route, Switch } from 'wouter';
import { session } from './api/client';
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
/**
 * The home screen, the first after signing in: a chunk of its own, rendered directly once its code is in. React keeps
 * a suspended screen's "Loading…" up for at least 300 ms, so for someone signed in or signing in (the plain form's
 * answer pending) the app's first render waits for the home's code (already fetched: index.html's script preloads it
 * with the sign-in) instead of suspending on it.
 */
let LoadedHome: ComponentType | null = null;
const loadHome = () =>
  import('./pages/HomePage').then((m) => {
    LoadedHome = m.HomePage;
    return { default: m.HomePage };
  });
const LazyHome = lazy(loadHome);
const HomePage = () => (LoadedHome ? <LoadedHome /> : <LazyHome />);
const homeFirst = window.__hubLogin || session.refreshToken() ? loadHome().catch(() => undefined) : undefined;
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
  if (!user) return <Redirect to="/login" replace />;
  if (mfaEnrolmentRequired) return <Redirect to="/mfa-setup" replace />;
  if (admin && !isAdmin(user)) return <Redirect to="/" replace />;
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
      {/* wouter's Switch renders the first route that matches, in this order: /cases/new before /cases/:id. */}
      <Switch>
        <Route path="/login"><LoginPage /></Route>
        <Route path="/mfa-setup">{loading ? null : user ? <MfaSetupPage /> : <Redirect to="/login" replace />}</Route>
        <Route path="/"><Protected><HomePage /></Protected></Route>
        <Route path="/admin/missions"><Protected admin><MissionsPage /></Protected></Route>
        <Route path="/admin/facilities"><Protected admin><FacilitiesPage /></Protected></Route>
        <Route path="/admin/users"><Protected admin><UsersPage /></Protected></Route>
        <Route path="/patients"><Protected><PatientsPage /></Protected></Route>
        <Route path="/cases"><Protected><CasesPage view="mine" /></Protected></Route>
        <Route path="/queue"><Protected><CasesPage view="queue" /></Protected></Route>
        <Route path="/cases/new"><Protected><NewCasePage /></Protected></Route>
        <Route path="/cases/:id"><Protected><CasePage /></Protected></Route>
        <Route path="/break-glass"><Protected><BreakGlassReviewPage /></Protected></Route>
        <Route path="/dashboard"><Protected><Suspense fallback={<LoadingText dashboard />}><DashboardPage /></Suspense></Protected></Route>
        <Route path="/mental-health/slots"><Protected><SlotsPage /></Protected></Route>
        <Route path="/mental-health/book"><Protected><BookingPage /></Protected></Route>
        <Route path="/notifications"><Protected><NotificationsPage /></Protected></Route>
        <Route path="/sync"><Protected><SyncPage /></Protected></Route>
        <Route path="/rotation/hand-over"><Protected><HandOverPage /></Protected></Route>
        <Route path="/admin/rotations/import"><Protected admin><RotationImportPage /></Protected></Route>
        <Route path="/training"><Loading><Protected><MyTrainingPage /></Protected></Loading></Route>
        <Route path="/training/courses/:id"><Loading><Protected><CoursePage /></Protected></Loading></Route>
        <Route path="/training/courses/:id/lessons/:lessonId"><Loading><Protected><CoursePage /></Protected></Loading></Route>
        <Route path="/training/courses/:id/quiz"><Loading><Protected><QuizPage /></Protected></Loading></Route>
        <Route path="/training/courses/:courseId/learners/:userId"><Loading><Protected><LearnerPage /></Protected></Loading></Route>
        <Route path="/training/certificates"><Loading><Protected><MyCertificatesPage /></Protected></Loading></Route>
        <Route path="/training/manage"><Loading><Protected><CoursesManagePage /></Protected></Loading></Route>
        <Route path="/training/manage/:id"><Loading><Protected><CourseEditorPage /></Protected></Loading></Route>
        <Route path="/training/cohorts"><Loading><Protected><CohortsPage /></Protected></Loading></Route>
        <Route path="/training/cohorts/:id"><Loading><Protected><CohortPage /></Protected></Loading></Route>
        <Route path="/training/compliance"><Protected><Suspense fallback={<LoadingText />}><CompliancePage /></Suspense></Protected></Route>
        <Route path="/training/waivers"><Loading><Protected admin><WaiversPage /></Protected></Loading></Route>
        <Route path="/resources"><Loading><Protected><ResourcesPage /></Protected></Loading></Route>
        <Route path="/resources/:id"><Loading><Protected><ResourcePage /></Protected></Loading></Route>
        <Route path="/verify"><Loading><VerifyPage /></Loading></Route>
        <Route path="/verify/:code"><Loading><VerifyPage /></Loading></Route>
        <Route path="/consultations/:id/check"><Protected><Suspense fallback={<LoadingText />}><PreCallPage /></Suspense></Protected></Route>
        <Route path="/consultations/:id"><Protected><Suspense fallback={<LoadingText />}><CallPage /></Suspense></Protected></Route>
        {/* Any other address: the home screen (wouter: a Route without a path matches everything). */}
        <Route><Redirect to="/" replace /></Route>
      </Switch>
      </Suspense>
      </RouteErrorBoundary>
    </>
  );
}

// The app replaces index.html's plain sign-in form once the reader's catalogue is in (preloaded beside the entry), so
// the form is never swapped for a blank "loading" state while the reader types; and the home's code, for someone
// signing in (above).
void Promise.allSettled([i18nReady, homeFirst]).finally(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Suspense fallback={<p className="page muted">…</p>}>
        <AuthProvider>
          <Shell />
        </AuthProvider>
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

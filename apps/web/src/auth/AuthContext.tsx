import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { LoginResponse, MeResponse } from '@hub/contracts';
import { ApiError, get, post, refresh, session } from '../api/client';
import { link } from '../offline/link';
import { disconnectNotifications } from '../api/socket';
import { showLanguage } from '../i18n';
import { screenCache } from '../components/screen-cache';

interface AuthState {
  user: MeResponse | null;
  /** True while the session still has to enrol an authenticator (administrators). */
  mfaEnrolmentRequired: boolean;
  loading: boolean;
  login(email: string, password: string, totp?: string): Promise<LoginResponse>;
  accept(res: LoginResponse): void;
  /** Replaces the signed-in user's details (after changing their own preferences). */
  updateUser(user: MeResponse): void;
  logout(): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);
const ENROL_KEY = 'hub.mfaEnrolment';
/** Who is signed in, kept for this tab so a reload with the link down still opens the app (and its drafts). */
const ME_KEY = 'hub.me';
const cachedMe = (): MeResponse | null => {
  try {
    return JSON.parse(sessionStorage.getItem(ME_KEY) ?? 'null') as MeResponse | null;
  } catch {
    return null;
  }
};

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<MeResponse | null>(null);
  const [mfaEnrolmentRequired, setEnrol] = useState(sessionStorage.getItem(ENROL_KEY) === '1');
  const [loading, setLoading] = useState(true);

  // The language stored on the user wins over the browser's, on every device they sign in from.
  const adopt = useCallback((me: MeResponse | null) => {
    setUser(me);
    if (me?.locale) void showLanguage(me.locale);
  }, []);

  const accept = useCallback((res: LoginResponse) => {
    session.set(res);
    adopt(res.user);
    sessionStorage.setItem(ME_KEY, JSON.stringify(res.user));
    setEnrol(res.mfaEnrolmentRequired);
    if (res.mfaEnrolmentRequired) sessionStorage.setItem(ENROL_KEY, '1');
    else sessionStorage.removeItem(ENROL_KEY);
  }, [adopt]);

  const forget = useCallback(() => {
    // The notifications socket is authenticated as this user: never let it outlive the session.
    disconnectNotifications();
    // Cached screens belong to this user: the next one to sign in on this device must not see them.
    screenCache.clear();
    session.clear();
    sessionStorage.removeItem(ENROL_KEY);
    sessionStorage.removeItem(ME_KEY);
    setUser(null);
    setEnrol(false);
  }, []);

  useEffect(() => {
    session.onLost(forget);
    // A reload keeps the session: exchange the stored refresh token, then load who we are.
    const load = async () => {
      const me = await get<MeResponse>('/api/auth/me');
      sessionStorage.setItem(ME_KEY, JSON.stringify(me));
      adopt(me);
    };
    (async () => {
      try {
        if (session.refreshToken() && (await refresh())) await load();
        // The refresh token was kept, so the hub did not refuse it: the link is down. Open the app as this user.
        else if (session.refreshToken()) adopt(cachedMe());
      } catch (e) {
        if (e instanceof ApiError && e.status === 0 && cachedMe()) adopt(cachedMe());
        else forget();
      } finally {
        setLoading(false);
      }
    })();
    // Opened with the link down: once it returns, get a fresh access token and who we are.
    return link.onBack(() => {
      if (session.refreshToken() && !session.hasAccess()) void refresh().then((ok) => (ok ? load().catch(() => undefined) : undefined));
    });
  }, [forget, adopt]);

  const value = useMemo<AuthState>(
    () => ({
      user,
      mfaEnrolmentRequired,
      loading,
      async login(email, password, totp) {
        const res = await post<LoginResponse>('/api/auth/login', { email, password, ...(totp ? { totp } : {}) });
        accept(res);
        return res;
      },
      accept,
      updateUser: adopt,
      async logout() {
        const token = session.refreshToken();
        try {
          if (token) await post('/api/auth/logout', { refreshToken: token });
        } catch {
          // Link down or session already gone: the tokens are dropped here anyway and expire on the server.
        } finally {
          forget();
        }
      },
    }),
    [user, mfaEnrolmentRequired, loading, accept, forget, adopt],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
